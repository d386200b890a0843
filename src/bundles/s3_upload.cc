#include "bundles/s3_upload.h"

#include <fmt/format.h>

#include <cstdlib>
#include <thread>

#include "common/error.h"
#include "notify/digest.h"

namespace hgc {

SigV4Credentials CredentialsFromEnvironment() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (!id || !*id || !secret || !*secret) {
    throw Error(ErrorKind::kConfig, "NoCredentialsError: Unable to locate credentials");
  }
  return {id, secret};
}

HttpRequest BuildS3Put(const S3Target& target, const std::string& key, const std::string& body,
                       const std::string& content_type,
                       const std::vector<std::pair<std::string, std::string>>& extra_headers,
                       std::chrono::system_clock::time_point now) {
  UrlParts endpoint = SplitUrl(target.endpoint);
  std::string base_path = endpoint.path == "/" ? "" : endpoint.path;
  std::string path =
      base_path + "/" + AwsUriEncode(target.bucket, false) + "/" + AwsUriEncode(key, false);
  SigV4Request sig;
  sig.method = "PUT";
  sig.canonical_uri = path;
  sig.payload_hash = Sha256Hex(body);
  sig.headers = {{"Host", endpoint.authority}, {"Content-Type", content_type}};
  for (const auto& h : extra_headers) sig.headers.push_back(h);
  sig.headers.emplace_back("x-amz-content-sha256", sig.payload_hash);
  sig.headers.emplace_back("x-amz-date", AmzDate(now));
  SigV4Signature signature =
      SignV4(sig, target.credentials, target.region, "s3", sig.headers.back().second);
  HttpRequest request;
  request.method = "PUT";
  request.url = endpoint.scheme + "://" + endpoint.authority + path;
  request.headers = sig.headers;
  request.headers.emplace_back("Authorization", signature.authorization);
  request.body = body;
  request.timeout = std::chrono::minutes(30);
  return request;
}

void PutS3Object(const S3Target& target, const std::string& key, const std::string& body,
                 const std::string& content_type,
                 const std::vector<std::pair<std::string, std::string>>& extra_headers,
                 std::chrono::milliseconds retry_delay) {
  for (int attempt = 1;; ++attempt) {
    HttpRequest request = BuildS3Put(target, key, body, content_type, extra_headers,
                                     std::chrono::system_clock::now());
    try {
      HttpResponse response = SendHttp(request);
      if (!response.ok()) {
        throw Error(ErrorKind::kIo, fmt::format("S3 PUT {} answered {}: {}", request.url,
                                                response.status, response.body.substr(0, 500)));
      }
      return;
    } catch (const Error& e) {
      bool connection = std::string(e.what()).find("answered") == std::string::npos;
      if (!connection || attempt >= 3) throw;
      std::this_thread::sleep_for(retry_delay);  // back off before retrying, as the reference
    }
  }
}

}  // namespace hgc
