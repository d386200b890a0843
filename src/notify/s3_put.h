// A path-style S3 PUT (as boto3 with an endpoint override) signed with
// SigV4: the one request builder behind the SNS notifier's S3 copies and the
// clone-bundle upload.
// Thread-safety: pure function.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "notify/http_client.h"
#include "notify/sigv4.h"

namespace hgc {

struct S3Target {
  std::string endpoint;  // "https://s3-us-west-2.amazonaws.com", no trailing slash
  std::string bucket;
  std::string region;
  SigV4Credentials credentials;
};

// The signed request, without sending it (tests check the signature).
HttpRequest BuildS3Put(const S3Target& target, const std::string& key, const std::string& body,
                       const std::string& content_type,
                       const std::vector<std::pair<std::string, std::string>>& extra_headers,
                       std::chrono::system_clock::time_point now);

}  // namespace hgc
