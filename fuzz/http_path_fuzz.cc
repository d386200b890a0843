// What an HTTP client controls on a mirror: the URL path and query. The
// path is decoded and resolved under a small repos root (never outside it),
// the query parsed, and json-pushes' parameters parsed from it; a log
// message's path is confined to the root the same way.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/error.h"
#include "pushlog/push_query.h"
#include "pushlog/pushlog_views.h"
#include "routing/confined_path.h"
#include "web/repo_path.h"

namespace {

const std::string& Root() {
  static const std::string root = [] {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("hgc-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir / "repos/a/.hg");
    fs::create_directories(dir / "repos/b/c/.hg");
    fs::create_directories(dir / "outside/x/.hg");
    std::error_code ec;
    fs::create_directory_symlink(dir / "outside", dir / "repos/link", ec);
    return (dir / "repos").string();
  }();
  return root;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string target(reinterpret_cast<const char*>(data), size);
  size_t q = target.find('?');
  std::string path = hgc::PercentDecode(target.substr(0, q), false);
  std::string query = q == std::string::npos ? "" : target.substr(q + 1);
  hgc::RepoPath rp = hgc::ResolveRepoPath(Root(), "/" + path);
  if (rp.kind == hgc::RepoPath::Kind::kRepo) {
    if (!rp.repo_root.starts_with(Root() + "/") || rp.repo_name.find("..") == 0 ||
        rp.repo_name.starts_with("link")) {
      std::abort();
    }
  }
  auto params = hgc::ParseQueryString(query);
  try {
    (void)hgc::ParsePushQuery(params, rp.path_arg, 1.7e9);
  } catch (const hgc::QueryError& e) {
    // The error page echoes what the client sent: it must stay valid JSON.
    if (!nlohmann::json::accept(hgc::RenderJsonError(e.message()))) std::abort();
  }
  try {
    auto confined = hgc::ConfineWirePath({{"{moz}", Root()}}, "{moz}/" + path, false);
    if (!confined.local.starts_with(Root() + "/") || confined.relative.find("..") == 0) std::abort();
  } catch (const hgc::Error&) {
  }
  return 0;
}
