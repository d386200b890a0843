#include "bundles/s3_upload.h"

#include <fmt/format.h>

#include <cstdlib>
#include <thread>

#include "common/error.h"
#include "common/digest.h"

namespace hgc {

SigV4Credentials CredentialsFromEnvironment() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (!id || !*id || !secret || !*secret) {
    throw Error(ErrorKind::kConfig, "NoCredentialsError: Unable to locate credentials");
  }
  return {id, secret};
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
