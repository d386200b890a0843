// HgRunner that starts a fresh hg process per command.
#include "hg/hg_runner.h"

namespace hgc {
namespace {

class ProcessHgRunner : public HgRunner {
 public:
  ProcessHgRunner(std::string hg, std::string hgrcpath, std::vector<std::string> extra_config)
      : hg_(std::move(hg)), hgrcpath_(std::move(hgrcpath)), extra_(std::move(extra_config)) {}

  ProcessResult Run(const std::string& repo, const std::vector<std::string>& args) override {
    std::vector<std::string> argv{hg_};
    if (!repo.empty()) {
      argv.push_back("-R");
      argv.push_back(repo);
    }
    for (const auto& c : extra_) {
      argv.push_back("--config");
      argv.push_back(c);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.env_set = {{"HGPLAIN", "1"}, {"HGENCODING", "UTF-8"}, {"HGRCPATH", hgrcpath_}};
    options.env_unset = {"HG_PENDING", "HG_SHAREDPENDING"};
    return RunProcess(argv, options);
  }

  const std::string& hg_path() const override { return hg_; }

 private:
  std::string hg_;
  std::string hgrcpath_;
  std::vector<std::string> extra_;
};

}  // namespace

std::unique_ptr<HgRunner> MakeProcessHgRunner(const std::string& hg_path,
                                              const std::string& hgrcpath,
                                              std::vector<std::string> extra_config) {
  return std::make_unique<ProcessHgRunner>(hg_path, hgrcpath, std::move(extra_config));
}

}  // namespace hgc
