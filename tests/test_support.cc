#include "test_support.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace hgc::test {

ScratchDir::ScratchDir() {
  char tmpl[] = "/tmp/hgcluster-test-XXXXXX";
  path_ = mkdtemp(tmpl);
}

ScratchDir::~ScratchDir() {
  if (std::getenv("HGCLUSTER_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

ProcessResult Sh(const std::string& command, const std::map<std::string, std::string>& env) {
  ProcessOptions o;
  o.env_set = env;
  return RunProcess({"/bin/sh", "-c", command}, o);
}

std::string HgclusterBin() { return HGCLUSTER_BIN; }

ProcessResult Hgcluster(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{HgclusterBin()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.env_set = env;
  return RunProcess(argv, o);
}

std::string RepoFingerprint(const std::string& repo) {
  ProcessOptions o;
  o.env_set = {{"HGRCPATH", ""}, {"HGPLAIN", "1"}};
  auto heads = RunProcess(
      {"hg", "-R", repo, "log", "-r", "sort(heads(all()))", "-T",
       "{rev}:{node} {phase} {branch}{ifcontains(rev, revset('closed()'), ' closed')}\n"},
      o);
  auto books = RunProcess({"hg", "-R", repo, "bookmarks", "-T", "{bookmark} {node}\n"}, o);
  auto phases = RunProcess({"hg", "-R", repo, "log", "-r", "draft()", "-T", "{node}\n"}, o);
  auto count = RunProcess({"hg", "-R", repo, "log", "-r", "tip", "-T", "{rev}\n"}, o);
  return "tip " + count.out + "heads:\n" + heads.out + heads.err + "bookmarks:\n" + books.out +
         "draft:\n" + phases.out;
}

int CommitChange(const std::string& client, const std::string& file) {
  return Sh("cd " + client + " && hg update -q tip && echo x >> " + file +
                " && hg commit -qAm change",
            {{"HGRCPATH", ""}, {"HGUSER", "t <t@example.com>"}})
      .exit_code;
}

}  // namespace hgc::test
