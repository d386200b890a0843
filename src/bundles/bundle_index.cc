#include "bundles/bundle_index.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/html_escape.h"

namespace hgc {

std::string WithThousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string RenderBundlesJson(const BundleIndex& index) {
  nlohmann::json j = nlohmann::json::object();  // std::map keys: already sorted
  for (const auto& [repo, types] : index) {
    nlohmann::json t = nlohmann::json::object();
    for (const auto& [type, b] : types) t[type] = {{"path", b.path}, {"size", b.size}};
    j[repo] = t;
  }
  return j.dump(4);
}

std::string RenderIndexHtml(const BundleIndex& index, std::chrono::system_clock::time_point when) {
  std::string rows;
  for (const auto& [repo, types] : index) {
    if (!types.count("gzip-v2")) continue;
    rows += fmt::format("      <tr>\n        <td>{}</td>\n", HtmlEscape(repo));
    for (const char* type : {"zstd", "zstd-max", "gzip-v2", "stream-v2"}) {
      auto it = types.find(type);
      if (it == types.end()) {
        rows += "        <td>-</td>\n";
      } else {
        rows += fmt::format("        <td><a href=\"{}\">{}</a></td>\n", HtmlEscape(it->second.path),
                            WithThousands(it->second.size));
      }
    }
    rows += "      </tr>\n";
  }
  return fmt::format(
      "<!doctype html>\n<html>\n  <head>\n    <title>Mercurial Bundles</title>\n  </head>\n"
      "  <body>\n    <h1>Mercurial Bundles</h1>\n"
      "    <p>Bundles generated at {:%Y-%m-%dT%H:%M:%S}Z. Sizes in bytes.</p>\n"
      "    <table border=\"1\">\n      <tr>\n        <th>Repository</th>\n"
      "        <th>zstd</th>\n        <th>zstd (max)</th>\n        <th>gzip (v2)</th>\n"
      "        <th>stream</th>\n      </tr>\n{}    </table>\n  </body>\n</html>\n",
      std::chrono::floor<std::chrono::seconds>(when), rows);
}

std::string LastRunText(std::chrono::system_clock::time_point when) {
  auto secs = std::chrono::floor<std::chrono::seconds>(when);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(when - secs).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z\n", secs, us);
}

}  // namespace hgc
