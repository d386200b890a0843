#include "hg/faulty_hg_runner.h"

#include <fmt/format.h>

#include <optional>

namespace hgc {
namespace {

std::string CommandOf(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (!a.starts_with("--")) return a;
  }
  return "";
}

}  // namespace

void FaultyHgRunner::FailNth(const std::string& command, int nth, When when) {
  std::lock_guard lock(mu_);
  rules_.push_back({command, nth, when});
}

int FaultyHgRunner::Calls(const std::string& command) const {
  std::lock_guard lock(mu_);
  for (const auto& [c, n] : calls_) {
    if (c == command) return n;
  }
  return 0;
}

ProcessResult FaultyHgRunner::Run(const std::string& repo, const std::vector<std::string>& args) {
  std::string command = CommandOf(args);
  std::optional<When> fault;
  int call = 0;
  {
    std::lock_guard lock(mu_);
    auto it = calls_.begin();
    for (; it != calls_.end() && it->first != command; ++it) {
    }
    if (it == calls_.end()) {
      calls_.emplace_back(command, 0);
      it = calls_.end() - 1;
    }
    call = ++it->second;
    for (const auto& r : rules_) {
      if (r.command == command && r.nth == call) fault = r.when;
    }
  }
  auto failed = [&](const char* how) {
    injected_.fetch_add(1);
    ProcessResult r;
    r.exit_code = 255;
    r.err = fmt::format("abort: injected fault: hg {} (call {}) {}\n", command, call, how);
    return r;
  };
  if (fault == When::kBefore) return failed("failed before doing anything");
  ProcessResult r = real_.Run(repo, args);
  if (fault == When::kAfter) return failed("failed after doing its work");
  return r;
}

}  // namespace hgc
