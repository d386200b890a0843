#include "notify/s3_put.h"

#include "common/digest.h"

namespace hgc {

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

}  // namespace hgc
