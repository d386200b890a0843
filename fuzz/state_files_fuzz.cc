// Files other processes (or a full disk, or an operator) may have damaged:
// the consumer state file, the verify file, INI configuration, hg's tags
// cache, the hgssh bootstrap document, and the date parameter of json-pushes. Each parser throws
// hgc::Error (or answers "bad") instead of crashing; a parsed state file formats and parses back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bootstrap/hgssh_document.h"
#include "common/error.h"
#include "common/ini.h"
#include "consumer/consumer_state.h"
#include "consumer/verify_state.h"
#include "hg/tags_cache.h"
#include "pushlog/date_param.h"
#include "pushlog/hg_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    hgc::ConsumerState s = hgc::ParseConsumerState(text);
    hgc::ConsumerState again = hgc::ParseConsumerState(hgc::FormatConsumerState(s));
    if (again.parked.size() != s.parked.size()) std::abort();
  } catch (const hgc::Error&) {
  }
  try {
    (void)hgc::FormatVerifyState(hgc::ParseVerifyState(text));
  } catch (const hgc::Error&) {
  }
  try {
    (void)hgc::IniFile::Parse(text, "fuzz.ini");
  } catch (const hgc::Error&) {
  }
  try {
    hgc::TagsCache tags = hgc::ParseTagsCache(text);
    for (const auto& [name, node] : tags.tags) {
      if (node.size() != 40) std::abort();
    }
  } catch (const hgc::Error&) {
  }
  try {
    hgc::HgsshDocument doc = hgc::ParseHgsshDocument(text, "fuzz.json");
    hgc::HgsshDocument again = hgc::ParseHgsshDocument(hgc::ToText(doc), "again.json");
    if (again.ranges.size() != doc.ranges.size() || again.repositories != doc.repositories) {
      std::abort();
    }
    for (size_t i = 1; i < doc.ranges.size(); ++i) {
      if (doc.ranges[i].partition <= doc.ranges[i - 1].partition) std::abort();
    }
  } catch (const hgc::Error&) {
  }
  (void)hgc::ParseDateParam(text, 1.7e9);
  (void)hgc::HgJsonString(text);
  return 0;
}
