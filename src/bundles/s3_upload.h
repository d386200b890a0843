// Uploads a clone bundle (or index.html / bundles.json) to an S3-compatible
// store: a path-style PUT signed with SigV4 (src/notify/sigv4.h) through the
// libcurl client. Credentials come from AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY. The object is read into memory (fine for the test
// and medium repos; a multipart upload would be needed beyond a few GiB).
// Thread-safety: each call is independent.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "notify/http_client.h"
#include "notify/s3_put.h"
#include "notify/sigv4.h"

namespace hgc {

// Throws Error(kConfig, "NoCredentialsError: Unable to locate credentials")
// when the environment has none.
SigV4Credentials CredentialsFromEnvironment();

// Three attempts on connection errors (`retry_delay` apart); an HTTP error
// status or the third failure throws Error(kIo).
void PutS3Object(const S3Target& target, const std::string& key, const std::string& body,
                 const std::string& content_type,
                 const std::vector<std::pair<std::string, std::string>>& extra_headers = {},
                 std::chrono::milliseconds retry_delay = std::chrono::seconds(15));

}  // namespace hgc
