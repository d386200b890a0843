// SHA-256, HMAC-SHA256 and base64 through OpenSSL's libcrypto: the
// primitives of AWS Signature V4, webhook payload signatures and the push
// bundles carried in changegroup events.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hgc {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
// SHA-1, for hg's own cache keys (not for security).
std::string Sha1(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// Lowercase hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);

inline std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

// Standard base64 (RFC 4648, with padding, no line breaks).
std::string Base64Encode(std::string_view bytes);
// nullopt unless `text` is canonical padded base64 (no whitespace).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace hgc
