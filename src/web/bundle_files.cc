#include "web/bundle_files.h"

namespace hgc {
namespace {}  // namespace

BundleFileLookup ResolveBundleFile(const std::string& dir, const std::string& prefix,
                                   std::string_view url_path) {
  BundleFileLookup out;
  std::string_view bare = std::string_view(prefix).substr(0, prefix.size() - 1);
  if (url_path == bare || url_path == prefix) {
    out.matched = true;
    out.file = dir + "/index.html";
    return out;
  }
  if (url_path.substr(0, prefix.size()) != prefix) return out;
  out.matched = true;
  std::string_view rest = url_path.substr(prefix.size());
  if (rest.empty() || rest.back() == '/' || rest.ends_with(".tmp")) return out;
  std::string file = dir;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg.front() == '.' || seg.find('\0') != std::string_view::npos) return out;
    file += "/";
    file += seg;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  out.file = std::move(file);
  return out;
}

const char* BundleContentType(std::string_view file) {
  if (file.ends_with(".html")) return "text/html; charset=utf-8";
  if (file.ends_with(".json")) return "application/json";
  if (file.ends_with("/lastrun")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace hgc
