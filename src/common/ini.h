// INI files as Python's configparser (no interpolation) reads them, which is
// what every reference config file is: option names lower-cased, "key = value"
// or "key: value" split at the first '=' or ':', '#'/';' comment lines,
// indented continuation lines, items kept in file order.
// Thread-safety: immutable after construction.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hgc {

class IniFile {
 public:
  // Throws Error(kConfig, "config file does not exist: <path>") if missing.
  static IniFile Load(const std::string& path);
  static IniFile Parse(const std::string& text, const std::string& origin = "<string>");

  bool HasSection(const std::string& section) const;
  // Section names in file order ([DEFAULT] left out).
  std::vector<std::string> SectionNames() const;
  std::optional<std::string> Get(const std::string& section, const std::string& key) const;
  // Throws Error(kConfig) naming the file, section and key when absent.
  std::string Require(const std::string& section, const std::string& key) const;
  std::string GetOr(const std::string& section, const std::string& key,
                    const std::string& fallback) const;
  bool GetBool(const std::string& section, const std::string& key, bool fallback) const;
  double GetDouble(const std::string& section, const std::string& key, double fallback) const;
  std::vector<std::pair<std::string, std::string>> Items(const std::string& section) const;
  const std::string& origin() const { return origin_; }

 private:
  struct Section {
    std::string name;
    std::vector<std::pair<std::string, std::string>> items;
  };
  const Section* Find(const std::string& section) const;
  std::vector<Section> sections_;
  std::string origin_;
};

}  // namespace hgc
