// INI parsing with Python configparser's reading rules (what the reference's
// RawConfigParser accepts), plus typed getters. Deliberately lenient like the
// Python 2 parser the reference used: a repeated section merges, a repeated
// option keeps its first position and takes the last value.
// Thread-safety: immutable after construction.
#include "common/ini.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/text.h"

namespace hgc {
namespace {

constexpr const char* kDefaultSection = "DEFAULT";

// Universal newlines, as Python's text mode reads files.
std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || c == '\r') {
      lines.push_back(cur);
      cur.clear();
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

// An option being read: its value lines are joined once the file is done.
struct PendingItem {
  std::string key;
  std::vector<std::string> lines;
};

struct PendingSection {
  std::string name;
  std::vector<PendingItem> items;
};

}  // namespace

IniFile IniFile::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error(ErrorKind::kConfig, "config file does not exist: " + path);
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  if (!in || in.bad()) {
    throw Error(ErrorKind::kConfig,
                fmt::format("cannot read config file {}: {}; check its permissions", path,
                            std::strerror(errno)));
  }
  return Parse(buf.str(), path);
}

IniFile IniFile::Parse(const std::string& text, const std::string& origin) {
  std::string_view body = text;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);  // UTF-8 BOM
  std::vector<PendingSection> sections;
  PendingSection* cursect = nullptr;
  // Pointers into the vectors below are re-taken after every push_back that
  // could move them.
  PendingItem* option = nullptr;  // the option continuation lines extend
  size_t indent_level = 0;
  int lineno = 0;
  for (const std::string& line : SplitLines(body)) {
    ++lineno;
    const std::string value = Trim(line);
    const bool comment = value.starts_with("#") || value.starts_with(";");
    if (value.empty() || comment) {
      // Blank lines belong to a multi-line value (trailing ones are
      // stripped at the end); comment lines are dropped.
      if (!comment && option != nullptr) option->lines.emplace_back();
      continue;
    }
    size_t cur_indent = 0;
    while (cur_indent < line.size() && IsAsciiSpace(line[cur_indent])) ++cur_indent;
    if (cursect != nullptr && option != nullptr && cur_indent > indent_level) {
      option->lines.push_back(value);
      continue;
    }
    indent_level = cur_indent;
    const size_t close = value.rfind(']');
    if (value[0] == '[' && close != std::string::npos && close >= 2) {
      const std::string name = value.substr(1, close - 1);
      cursect = nullptr;
      for (auto& s : sections) {
        if (s.name == name) cursect = &s;
      }
      if (cursect == nullptr) {
        sections.push_back(PendingSection{name, {}});
        cursect = &sections.back();
      }
      option = nullptr;
      continue;
    }
    if (cursect == nullptr) {
      throw Error(ErrorKind::kConfig,
                  fmt::format("{}:{}: \"{}\" comes before any [section] header; put the "
                              "settings under the section they belong to",
                              origin, lineno, line));
    }
    const size_t delim = value.find_first_of("=:");
    const std::string key =
        delim == std::string::npos ? "" : Lower(TrimRight(value.substr(0, delim)));
    if (key.empty()) {
      throw Error(ErrorKind::kConfig,
                  fmt::format("{}:{}: cannot parse \"{}\"; expected \"name = value\"", origin,
                              lineno, line));
    }
    option = nullptr;
    for (auto& item : cursect->items) {
      if (item.key == key) option = &item;
    }
    if (option == nullptr) {
      cursect->items.push_back(PendingItem{key, {}});
      option = &cursect->items.back();
    }
    option->lines = {Trim(value.substr(delim + 1))};
  }

  IniFile ini;
  ini.origin_ = origin;
  for (const auto& s : sections) {
    Section out{s.name, {}};
    for (const auto& item : s.items) {
      std::string joined;
      for (size_t i = 0; i < item.lines.size(); ++i) {
        if (i > 0) joined += "\n";
        joined += item.lines[i];
      }
      out.items.emplace_back(item.key, TrimRight(joined));
    }
    ini.sections_.push_back(std::move(out));
  }
  return ini;
}

const IniFile::Section* IniFile::Find(const std::string& section) const {
  for (const auto& s : sections_) {
    if (s.name == section) return &s;
  }
  return nullptr;
}

bool IniFile::HasSection(const std::string& section) const {
  // As in configparser, [DEFAULT] only supplies fallbacks; it is no section.
  return section != kDefaultSection && Find(section) != nullptr;
}

std::vector<std::string> IniFile::SectionNames() const {
  std::vector<std::string> names;
  for (const auto& s : sections_) {
    if (s.name != kDefaultSection) names.push_back(s.name);
  }
  return names;
}

std::optional<std::string> IniFile::Get(const std::string& section, const std::string& key) const {
  if (Find(section) == nullptr) return std::nullopt;
  const std::string k = Lower(key);
  for (const char* name : {section.c_str(), kDefaultSection}) {
    if (const Section* s = Find(name)) {
      for (const auto& [item_key, value] : s->items) {
        if (item_key == k) return value;
      }
    }
  }
  return std::nullopt;
}

std::string IniFile::Require(const std::string& section, const std::string& key) const {
  auto value = Get(section, key);
  if (!value) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{}: required option \"{}\" is missing from section [{}]; add "
                            "\"{} = ...\" under [{}]",
                            origin_, Lower(key), section, Lower(key), section));
  }
  return *value;
}

std::string IniFile::GetOr(const std::string& section, const std::string& key,
                           const std::string& fallback) const {
  return Get(section, key).value_or(fallback);
}

bool IniFile::GetBool(const std::string& section, const std::string& key, bool fallback) const {
  auto value = Get(section, key);
  if (!value) return fallback;
  const std::string v = Lower(*value);
  if (v == "1" || v == "yes" || v == "true" || v == "on") return true;
  if (v == "0" || v == "no" || v == "false" || v == "off") return false;
  throw Error(ErrorKind::kConfig,
              fmt::format("{}: [{}] {} = {} is not a boolean; use one of 1, yes, true, on, 0, "
                          "no, false, off",
                          origin_, section, Lower(key), *value));
}

double IniFile::GetDouble(const std::string& section, const std::string& key,
                          double fallback) const {
  auto value = Get(section, key);
  if (!value) return fallback;
  std::string_view v = *value;
  // from_chars is locale-independent but, unlike Python's float(), rejects
  // a leading '+'.
  if (v.starts_with("+") && !v.starts_with("+-")) v.remove_prefix(1);
  double out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) {
    throw Error(ErrorKind::kConfig, fmt::format("{}: [{}] {} = {} is not a number; write e.g. 2.0",
                                                origin_, section, Lower(key), *value));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> IniFile::Items(const std::string& section) const {
  std::vector<std::pair<std::string, std::string>> out;
  const Section* s = Find(section);
  if (s == nullptr) return out;
  // configparser merges [DEFAULT] first; a section's own value replaces a
  // default in place.
  if (const Section* d = Find(kDefaultSection); d != nullptr && d != s) out = d->items;
  for (const auto& item : s->items) {
    bool replaced = false;
    for (auto& existing : out) {
      if (existing.first == item.first) {
        existing.second = item.second;
        replaced = true;
      }
    }
    if (!replaced) out.push_back(item);
  }
  return out;
}

}  // namespace hgc
