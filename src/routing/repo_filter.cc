// [replicationrules] evaluation (spec §3.6) with the reference's bugs fixed:
// the reported rule is the one that matched, and patterns may contain ':'.
// Rules are tried in file order within each step.
// Thread-safety: immutable after construction.
#include "routing/repo_filter.h"

#include <fmt/format.h>

#include "common/error.h"

namespace hgc {
namespace {

[[noreturn]] void BadRule(const std::string& key, const std::string& value,
                          const std::string& why) {
  throw Error(ErrorKind::kConfig,
              fmt::format("invalid [replicationrules] entry \"{} = {}\": {}; expected "
                          "<include|exclude>.<name> = <path|re>:<pattern>",
                          key, value, why));
}

}  // namespace

RepoFilter RepoFilter::FromEntries(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  RepoFilter filter;
  for (const auto& [key, value] : entries) {
    Rule rule;
    const size_t dot = key.find('.');
    const std::string behaviour = key.substr(0, dot);
    if (behaviour == "include") {
      rule.include = true;
    } else if (behaviour == "exclude") {
      rule.include = false;
    } else {
      BadRule(key, value, fmt::format("bad rule behaviour {}", behaviour));
    }
    if (dot == std::string::npos || dot + 1 == key.size()) BadRule(key, value, "no rule name");
    rule.name = key.substr(dot + 1);
    const size_t colon = value.find(':');
    if (colon == std::string::npos) BadRule(key, value, "no ':' after the rule type");
    const std::string type = value.substr(0, colon);
    rule.pattern = value.substr(colon + 1);
    if (type == "path") {
      rule.is_regex = false;
    } else if (type == "re") {
      rule.is_regex = true;
      try {
        rule.regex = std::regex(rule.pattern, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        BadRule(key, value, fmt::format("invalid regex \"{}\" ({})", rule.pattern, e.what()));
      }
    } else {
      BadRule(key, value, fmt::format("bad ruletype {}", type));
    }
    filter.rules_.push_back(std::move(rule));
  }
  return filter;
}

RepoFilter::Decision RepoFilter::Evaluate(const std::string& wire_path) const {
  if (rules_.empty()) return {true, "nofilter"};
  // Steps 1 and 2: exact paths, includes before excludes.
  for (bool include : {true, false}) {
    for (const auto& r : rules_) {
      if (!r.is_regex && r.include == include && r.pattern == wire_path) {
        return {include, r.name};
      }
    }
  }
  // Regexes are anchored at the start only, like Python's re.match.
  auto first_regex_match = [&](bool include) -> const Rule* {
    for (const auto& r : rules_) {
      if (r.is_regex && r.include == include &&
          std::regex_search(wire_path, r.regex, std::regex_constants::match_continuous)) {
        return &r;
      }
    }
    return nullptr;
  };
  const Rule* include = first_regex_match(true);
  const Rule* exclude = first_regex_match(false);
  if (include && !exclude) return {true, include->name};
  if (exclude) return {false, exclude->name};
  return {false, "noinclude"};
}

}  // namespace hgc
