#include "hg/tags_cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <sstream>

#include "common/digest.h"
#include "common/error.h"
#include "hg/repo_state.h"

namespace hgc {
namespace {

const std::string kNullHex(40, '0');

bool IsHexNode(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::map<std::string, std::string> ReadLocalTags(const std::string& repo_root) {
  std::istringstream in(ReadFileOrEmpty(repo_root + "/.hg/localtags"));
  std::map<std::string, std::string> tags;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() < 41 || line[40] != ' ') continue;
    std::string name = line.substr(41);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    tags[name] = line.substr(0, 40);
  }
  return tags;
}

TagsCache ParseTagsCache(std::string_view text) {
  TagsCache cache;
  size_t line_no = 0;
  bool first = true;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_no;
    if (first) {
      first = false;
      std::vector<std::string_view> words;
      for (size_t pos = 0; pos < line.size();) {
        size_t space = line.find(' ', pos);
        if (space == std::string_view::npos) space = line.size();
        if (space > pos) words.push_back(line.substr(pos, space - pos));
        pos = space + 1;
      }
      auto is_rev = [&cache](std::string_view w) {
        auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), cache.tip_rev);
        return ec == std::errc() && ptr == w.data() + w.size();
      };
      if (words.size() < 2 || words.size() > 3 || !is_rev(words[0]) || !IsHexNode(words[1]) ||
          (words.size() == 3 && !IsHexNode(words[2]))) {
        throw Error(ErrorKind::kMalformed,
                    "tags cache line 1 is not '<rev> <node> [<filtered hash>]'");
      }
      cache.tip_node = words[1];
      if (words.size() == 3) cache.filtered_hash = words[2];
      continue;
    }
    if (line.empty()) continue;
    if (line.size() < 42 || line[40] != ' ' || !IsHexNode(line.substr(0, 40))) {
      throw Error(ErrorKind::kMalformed,
                  fmt::format("tags cache line {} is not '<node> <name>'", line_no));
    }
    // Later lines of a name are newer: its current node comes last.
    cache.tags[std::string(line.substr(41))] = std::string(line.substr(0, 40));
  }
  if (first) throw Error(ErrorKind::kMalformed, "tags cache is empty");
  std::erase_if(cache.tags, [](const auto& entry) { return entry.second == kNullHex; });
  return cache;
}

std::string FilteredRevsHash(const std::vector<int>& filtered_revs, int max_rev) {
  std::vector<int> revs;
  for (int r : filtered_revs) {
    if (r <= max_rev) revs.push_back(r);
  }
  if (revs.empty()) return "";
  std::sort(revs.begin(), revs.end());
  std::string data;
  for (int r : revs) data += std::to_string(r) + ";";
  return HexEncode(Sha1(data));
}

bool HasTagsFileLog(const std::string& repo_root) {
  std::error_code ec;
  return std::filesystem::exists(repo_root + "/.hg/store/data/~2ehgtags.i", ec) ||
         std::filesystem::exists(repo_root + "/.hg/store/data/.hgtags.i", ec);
}

std::optional<std::map<std::string, std::string>> ReadGlobalTags(const std::string& repo_root,
                                                                 const ChangelogIndex& index,
                                                                 const RepoVisibility& visibility) {
  if (!HasTagsFileLog(repo_root)) return std::map<std::string, std::string>{};
  std::string text = ReadFileOrEmpty(repo_root + "/.hg/cache/tags2-visible");
  if (text.empty()) return std::nullopt;
  TagsCache cache;
  try {
    cache = ParseTagsCache(text);
  } catch (const Error&) {
    return std::nullopt;  // hg would recompute it: so do we, by asking hg
  }
  std::string visible_tip = kNullHex;
  for (int r = index.tip_rev(); r >= 0; --r) {
    if (!visibility.IsHidden(r)) {
      visible_tip = index.NodeHex(r);
      break;
    }
  }
  if (cache.tip_rev != index.tip_rev() || cache.tip_node != visible_tip ||
      cache.filtered_hash != FilteredRevsHash(visibility.hidden_revs(), index.tip_rev())) {
    return std::nullopt;
  }
  return std::move(cache.tags);
}

}  // namespace hgc
