// The run-level outputs in the bundle directory (spec/hosting.md §3.3):
// bundles.json (`{repo: {type: {"path", "size"}}}`, sorted keys, 4-space
// indent), index.html (Repository | zstd | zstd (max) | gzip (v2) | stream)
// and lastrun (`<UTC ISO time>Z\n`).
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace hgc {

struct IndexedBundle {
  std::string path;  // "<repo>/<file>", relative to the bundle directory / bucket
  uint64_t size = 0;
};

// repo -> type name ("zstd", "gzip-v2", ...) -> bundle.
using BundleIndex = std::map<std::string, std::map<std::string, IndexedBundle>>;

std::string RenderBundlesJson(const BundleIndex& index);

// Repos without a gzip-v2 bundle are left out (as the reference does).
std::string RenderIndexHtml(const BundleIndex& index, std::chrono::system_clock::time_point when);

// "2026-11-24T04:00:00.123456Z\n"
std::string LastRunText(std::chrono::system_clock::time_point when);

// 1234567 -> "1,234,567"
std::string WithThousands(uint64_t n);

}  // namespace hgc
