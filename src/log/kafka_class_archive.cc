#include "log/kafka_class_archive.h"

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <system_error>
#include <thread>

#include "common/error.h"
#include "log/kafka_local.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr char kPrefix[] = ".kafka-local-classes-";

// Exits by itself within `timeout` after SIGTERM (Kafka's shutdown hook,
// then the archive's dump): returns the wait status, or -1 after SIGKILL.
int StopAndReap(int pid, std::chrono::seconds timeout) {
  kill(pid, SIGTERM);
  auto deadline = SteadyClock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;  // not our child: nothing says how it ended
    if (SteadyClock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

std::string KafkaClassArchivePath(const std::string& java, const std::string& libs) {
  std::error_code ec;
  fs::path real = fs::canonical(java, ec);
  std::string key = ec ? java : real.string();
  struct stat st {};
  if (!ec && stat(real.c_str(), &st) == 0) key += fmt::format("@{}", st.st_mtime);
  std::string dir = fs::path(libs).lexically_normal().string();
  if (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return fmt::format("{}/{}{:016x}.jsa", dir, kPrefix, std::hash<std::string>{}(key));
}

std::vector<std::string> KafkaClassArchiveOptions(const std::string& java,
                                                  const std::string& libs) {
  std::string archive = KafkaClassArchivePath(java, libs);
  if (access(archive.c_str(), R_OK) != 0) return {};
  // An archive of another JDK build is not used; Java would say so on stdout.
  return {"-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off,cds+dynamic=off"};
}

bool EnsureKafkaClassArchive(const std::string& java, const std::string& libs) {
  std::string archive = KafkaClassArchivePath(java, libs);
  if (access(archive.c_str(), R_OK) == 0) return true;
  std::string parent = fs::path(archive).parent_path().string();
  if (access(parent.c_str(), W_OK) != 0) return false;

  const char* tmpdir = getenv("TMPDIR");
  std::string pattern = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/kafka-cds-XXXXXX";
  if (!mkdtemp(pattern.data())) return false;
  std::string scratch = pattern;
  std::string partial = fmt::format("{}.{}.tmp", archive, getpid());
  bool kept = false;
  std::fprintf(stderr,
               "kafka-local: archiving the classes of a Kafka broker once, for quicker JVM "
               "starts (%s)\n",
               archive.c_str());
  try {
    KafkaLocalOptions one;
    one.dir = scratch;
    one.brokers = 1;
    one.libs = libs;
    one.class_archive = false;
    one.die_with_parent = true;  // nothing left running if we are killed meanwhile
    one.jvm_options = {"-XX:ArchiveClassesAtExit=" + partial};
    StartKafkaLocal(one);  // the JVM has loaded what serving needs
    int pid = KafkaLocalNodePid(scratch, KafkaLocalNodes(scratch).at(0));
    int status = pid > 0 ? StopAndReap(pid, std::chrono::seconds(60)) : -1;
    // 143: Kafka's shutdown hook ran and the JVM exited on SIGTERM, after the dump.
    bool clean = status >= 0 && WIFEXITED(status) &&
                 (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 143);
    std::error_code ec;
    if (clean && fs::file_size(partial, ec) > 0 && !ec) {
      // Archives of an earlier java are of no use now.
      for (const auto& entry : fs::directory_iterator(parent, ec)) {
        std::string name = entry.path().filename().string();
        if (name.rfind(kPrefix, 0) == 0 && entry.path().extension() == ".jsa") {
          fs::remove(entry.path(), ec);
        }
      }
      fs::rename(partial, archive, ec);
      kept = !ec;
    }
    if (!kept) {
      std::fprintf(stderr, "kafka-local: no class archive (the broker exited with status %d)\n",
                   status);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kafka-local: no class archive: %s\n", e.what());
  }
  StopKafkaLocal(scratch);
  std::error_code ec;
  fs::remove(partial, ec);
  fs::remove_all(scratch, ec);
  return kept;
}

}  // namespace hgc
