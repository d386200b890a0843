// AWS Signature Version 4 (header form) for the SNS notifier's S3 and SNS
// requests. Implemented here (OpenSSL HMAC) rather than through libcurl's
// CURLOPT_AWS_SIGV4 so that the canonical request and string to sign can be
// checked against AWS's published examples, and so that tests can verify
// what a local receiver got. Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hgc {

struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

struct SigV4Request {
  std::string method;
  // The path exactly as it goes on the wire, already URI-encoded (S3 does
  // not encode a second time, so the caller decides).
  std::string canonical_uri = "/";
  // Decoded query parameters; encoded and sorted by the signer.
  std::vector<std::pair<std::string, std::string>> query;
  // Every header to sign, `host` and `x-amz-date` included; names in any case.
  std::vector<std::pair<std::string, std::string>> headers;
  // Lowercase hex SHA-256 of the body.
  std::string payload_hash;
};

struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // lowercase hex
  std::string authorization;   // value of the Authorization header
};

// `amz_date` is the x-amz-date value (YYYYMMDD'T'HHMMSS'Z'); its first eight
// characters give the credential scope's date.
SigV4Signature SignV4(const SigV4Request& request, const SigV4Credentials& credentials,
                      const std::string& region, const std::string& service,
                      const std::string& amz_date);

// RFC 3986 percent-encoding as SigV4 defines it: unreserved characters kept,
// everything else %XX with uppercase hex; '/' kept unless `encode_slash`.
std::string AwsUriEncode(std::string_view text, bool encode_slash);

// x-amz-date for a point in time (UTC).
std::string AmzDate(std::chrono::system_clock::time_point when);

}  // namespace hgc
