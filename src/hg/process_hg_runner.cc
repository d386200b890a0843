// HgRunner that starts a fresh hg process per command.
#include "hg/hg_runner.h"

namespace hgc {
namespace {

class ProcessHgRunner : public HgRunner {
 public:
  explicit ProcessHgRunner(HgProcessOptions o) : o_(std::move(o)) {}

  ProcessResult Run(const std::string& repo, const std::vector<std::string>& args) override {
    std::vector<std::string> argv{o_.hg};
    if (!repo.empty()) {
      argv.push_back("-R");
      argv.push_back(repo);
    }
    for (const auto& c : o_.extra_config) {
      argv.push_back("--config");
      argv.push_back(c);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env_set = o_.env;
    options.env_set["HGENCODING"] = "UTF-8";
    if (!o_.keep_hgrcpath) options.env_set["HGRCPATH"] = o_.hgrcpath;
    options.env_unset = {"HG_PENDING", "HG_SHAREDPENDING"};
    if (o_.plain) {
      options.env_set["HGPLAIN"] = "1";
    } else {
      options.env_unset.push_back("HGPLAIN");
    }
    return RunProcess(argv, options);
  }

  const std::string& hg_path() const override { return o_.hg; }

 private:
  HgProcessOptions o_;
};

}  // namespace

std::unique_ptr<HgRunner> MakeProcessHgRunner(HgProcessOptions options) {
  return std::make_unique<ProcessHgRunner>(std::move(options));
}

std::unique_ptr<HgRunner> MakeProcessHgRunner(const std::string& hg_path,
                                              const std::string& hgrcpath,
                                              std::vector<std::string> extra_config) {
  HgProcessOptions o;
  o.hg = hg_path;
  o.hgrcpath = hgrcpath;
  o.extra_config = std::move(extra_config);
  return MakeProcessHgRunner(std::move(o));
}

std::unique_ptr<HgRunner> PlainHg(const std::string& hgrcpath,
                                  std::map<std::string, std::string> env) {
  HgProcessOptions o;
  o.hgrcpath = hgrcpath;
  o.env = std::move(env);
  return MakeProcessHgRunner(std::move(o));
}

}  // namespace hgc
