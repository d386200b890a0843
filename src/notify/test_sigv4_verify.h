// Test-only: checks the AWS SigV4 Authorization header of a request a test
// receiver got, by re-signing what actually arrived (method, path, query,
// the headers listed in SignedHeaders, payload) with SignV4. Header-only.
// Thread-safety: pure function.
#pragma once

#include <string>

#include "common/digest.h"
#include "notify/sigv4.h"
#include "notify/test_http_receiver.h"

namespace hgc::test {

inline std::string UrlDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else if (s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Empty when the signature verifies, else what is wrong.
inline std::string VerifySigV4(const ReceivedRequest& r, const SigV4Credentials& credentials,
                               const std::string& region, const std::string& service) {
  const std::string auth = r.Header("Authorization");
  auto field = [&](const std::string& name) {
    size_t at = auth.find(name + "=");
    if (at == std::string::npos) return std::string();
    at += name.size() + 1;
    size_t end = auth.find_first_of(", ", at);
    return auth.substr(at, end == std::string::npos ? std::string::npos : end - at);
  };
  std::string credential = field("Credential");
  std::string expected_scope = "/" + region + "/" + service + "/aws4_request";
  if (credential.find(credentials.access_key_id + "/") != 0 ||
      credential.find(expected_scope) == std::string::npos) {
    return "unexpected credential scope: " + auth;
  }
  SigV4Request sig;
  sig.method = r.method;
  size_t q = r.target.find('?');
  sig.canonical_uri = r.target.substr(0, q);
  if (q != std::string::npos) {
    std::string query = r.target.substr(q + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string::npos) amp = query.size();
      std::string item = query.substr(start, amp - start);
      if (!item.empty()) {
        size_t eq = item.find('=');
        sig.query.emplace_back(UrlDecode(item.substr(0, eq)),
                               eq == std::string::npos ? "" : UrlDecode(item.substr(eq + 1)));
      }
      start = amp + 1;
    }
  }
  std::string signed_headers = field("SignedHeaders");
  size_t start = 0;
  while (start < signed_headers.size()) {
    size_t semi = signed_headers.find(';', start);
    if (semi == std::string::npos) semi = signed_headers.size();
    std::string name = signed_headers.substr(start, semi - start);
    sig.headers.emplace_back(name, r.Header(name));
    start = semi + 1;
  }
  std::string content_hash = r.Header("x-amz-content-sha256");
  sig.payload_hash = content_hash.empty() ? Sha256Hex(r.body) : content_hash;
  if (sig.payload_hash != Sha256Hex(r.body)) return "x-amz-content-sha256 does not match the body";
  SigV4Signature s = SignV4(sig, credentials, region, service, r.Header("x-amz-date"));
  if (s.signature != field("Signature")) {
    return "signature mismatch; canonical request was:\n" + s.canonical_request;
  }
  return "";
}

}  // namespace hgc::test
