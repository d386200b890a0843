// SHA-256 and HMAC-SHA256 through OpenSSL's libcrypto, the primitives of AWS
// Signature V4 and of webhook payload signatures.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

// Raw 32-byte digests.
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// Lowercase hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);

inline std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

}  // namespace hgc
