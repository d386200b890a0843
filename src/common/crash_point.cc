#include "common/crash_point.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "common/subprocess.h"

namespace hgc {
namespace {

std::optional<std::string> ArmedFlag(const std::string& point) {
  const char* spec = std::getenv("HGCLUSTER_CRASH_AT");
  if (!spec) return std::nullopt;
  std::string s = spec;
  auto colon = s.find(':');
  if (colon == std::string::npos || s.substr(0, colon) != point) return std::nullopt;
  std::string flag = s.substr(colon + 1);
  if (!std::filesystem::exists(flag)) return std::nullopt;
  return flag;
}

}  // namespace

void CrashPoint(const std::string& point) {
  auto flag = ArmedFlag(point);
  if (!flag) return;
  std::filesystem::remove(*flag);
  kill(getpid(), SIGKILL);
}

std::optional<std::string> CrashDuringPullHook() {
  auto flag = ArmedFlag("during-pull");
  if (!flag) return std::nullopt;
  return fmt::format("hooks.pretxnclose.hgcluster-crash=rm {} && kill -9 {} $PPID",
                     ShellQuote(*flag), getpid());
}

}  // namespace hgc
