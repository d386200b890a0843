// Partition routing (spec §2.3): sorted entries, first prefix-anchored regex
// match, MD5(path) mod len(partitions). Thread-safety: immutable after
// construction; Md5Mod is pure.
#include "routing/partition_map.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <memory>
#include <set>

#include "common/error.h"
#include "common/text.h"

namespace hgc {
namespace {

[[noreturn]] void BadEntry(const std::string& name, const std::string& value,
                           const std::string& why) {
  throw Error(ErrorKind::kConfig,
              fmt::format("invalid replicationproducer.partitionmap.{} = {}: {}; expected "
                          "<partition>[,<partition>...]:<regex>, e.g. 0,1,2,3:.*",
                          name, value, why));
}

// "0, 1,2" -> {0, 1, 2}; like Python's int(), each item may carry spaces.
std::vector<int> ParsePartitions(const std::string& name, const std::string& value,
                                 const std::string& list) {
  std::vector<int> out;
  size_t pos = 0;
  for (;;) {
    const size_t comma = list.find(',', pos);
    const std::string item =
        Trim(list.substr(pos, comma == std::string::npos ? comma : comma - pos));
    if (item.empty() || item.size() > 9 ||
        !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      BadEntry(name, value, fmt::format("\"{}\" is not a partition number", item));
    }
    out.push_back(std::stoi(item));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace

PartitionMap PartitionMap::FromEntries(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  PartitionMap map;
  for (const auto& [name, value] : entries) {
    const size_t colon = value.find(':');
    if (colon == std::string::npos) BadEntry(name, value, "no ':' between partitions and regex");
    Entry e;
    e.name = name;
    e.partitions = ParsePartitions(name, value, value.substr(0, colon));
    e.pattern = value.substr(colon + 1);
    try {
      e.regex = std::regex(e.pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& err) {
      BadEntry(name, value, fmt::format("invalid regex \"{}\" ({})", e.pattern, err.what()));
    }
    map.entries_.push_back(std::move(e));
  }
  std::stable_sort(map.entries_.begin(), map.entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return map;
}

int PartitionMap::PartitionFor(const std::string& wire_path) const {
  for (const auto& e : entries_) {
    // Python's re.match: anchored at the start, not at the end.
    if (std::regex_search(wire_path, e.regex, std::regex_constants::match_continuous)) {
      return e.partitions[static_cast<size_t>(
          Md5Mod(wire_path, static_cast<int>(e.partitions.size())))];
    }
  }
  throw Error(ErrorKind::kConfig, fmt::format("unable to map repo to partition: {}\n"
                                              "(define a partition map with a \".*\" fallback)",
                                              wire_path));
}

std::vector<int> PartitionMap::AllPartitions() const {
  std::set<int> all;
  for (const auto& e : entries_) all.insert(e.partitions.begin(), e.partitions.end());
  return {all.begin(), all.end()};
}

int Md5Mod(const std::string& text, int n) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), text.data(), text.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) {
    throw Error(ErrorKind::kIo,
                "OpenSSL could not compute an MD5 digest (is MD5 disabled by a "
                "FIPS policy?); partition routing needs it");
  }
  // The digest as a big-endian integer, reduced byte by byte.
  int64_t rem = 0;
  for (unsigned int i = 0; i < len; ++i) rem = (rem * 256 + digest[i]) % n;
  return static_cast<int>(rem);
}

}  // namespace hgc
