// The `bundle` field of hg-changegroup-2 (our extension, docs/formats.md):
// the push's changesets as an hg bundle (HG20: changegroup, phase heads and
// the bookmarks that point into the push), so a mirror can apply the push
// without asking the leader for it.
//
//   "bundle": {"type": "HG20", "size": 1234, "sha256": "<64 hex>",
//              "data": "<base64 of the bundle>"}
//
// or, for a bundle too big to travel inline, the name of its file in the
// bundle store (a directory the leader writes and every mirror reads:
// [replicationproducer] bundlestore, [consumer] bundle_store):
//
//   "bundle": {"type": "HG20", "size": 1234, "sha256": "<64 hex>",
//              "name": "<64 hex>.hg"}
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

struct PushBundleRef {
  std::string sha256;  // lowercase hex
  int64_t size = 0;
};

struct PushBundle {
  PushBundleRef ref;
  // The bytes, checked against `ref` and the part rules; nullopt when the
  // event names a file of the bundle store instead (PushBundleName).
  std::optional<std::string> data;
};

// The value of `bundle` carrying these bytes inline.
nlohmann::json EncodePushBundle(std::string_view bundle);
// The value of `bundle` naming the bundle store's copy of these bytes.
nlohmann::json EncodePushBundleRef(std::string_view bundle);
// The store's file name for a bundle: "<sha256>.hg".
std::string PushBundleName(const std::string& sha256);

// The message body's `bundle`: nullopt when the field is absent;
// Error(kMalformed) saying what is wrong when it cannot be used.
std::optional<PushBundle> DecodePushBundle(const nlohmann::json& body);

// Checks bytes read from the bundle store against the event's reference
// and the part rules. Throws Error(kMalformed) saying what is wrong.
void CheckPushBundle(std::string_view bytes, const PushBundleRef& ref);

// Bytes the inline field adds to an event for a bundle of `bundle_bytes`.
int64_t EncodedPushBundleSize(int64_t bundle_bytes);

}  // namespace hgc
