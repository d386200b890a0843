// JSON in insertion order, written the way Python's json.dumps writes a dict
// without sort_keys (", " / ": " separators, ASCII escapes). Pulse messages
// are serialised by kombu that way, so consumers comparing bytes see the
// reference's key order (payload before _meta, repo_url before heads, ...).
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hgc {

using OrderedJson = nlohmann::ordered_json;

// json.dumps(value) with keys in insertion order.
std::string PythonJsonDumpsOrdered(const OrderedJson& value);

// The same value with sorted keys, for json.dumps(..., sort_keys=True) via
// PythonJsonDumps.
nlohmann::json ToSortedJson(const OrderedJson& value);

}  // namespace hgc
