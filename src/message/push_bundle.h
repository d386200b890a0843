// The `bundle` field of hg-changegroup-2 (our extension, docs/formats.md):
// the push's changesets as an hg bundle (HG20: changegroup, phase heads and
// the bookmarks that point into the push), so a mirror can apply the push
// without asking the leader for it.
//
//   "bundle": {"type": "HG20", "size": 1234, "sha256": "<64 hex>",
//              "data": "<base64 of the bundle>"}
//
// A consumer that does not know the field ignores it and pulls, as the
// reference does. One whose bundle cannot be used (malformed, a checksum
// that does not match, a part a push would not carry: stream clone data,
// obsolescence markers, compression) pulls too: the bundle only saves the
// pull.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace hgc {

// The value of `bundle` for these bundle bytes.
nlohmann::json EncodePushBundle(std::string_view bundle);

// The bytes a message body's `bundle` field carries: nullopt when the field
// is absent; Error(kMalformed) saying what is wrong when it cannot be used.
std::optional<std::string> DecodePushBundle(const nlohmann::json& body);

// Bytes the field adds to an event for a bundle of `bundle_bytes` bytes.
int64_t EncodedPushBundleSize(int64_t bundle_bytes);

}  // namespace hgc
