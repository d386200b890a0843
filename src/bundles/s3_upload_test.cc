#include "bundles/s3_upload.h"

#include <gtest/gtest.h>

#include "common/digest.h"

namespace hgc {
namespace {

TEST(S3UploadTest, SignsAPathStylePut) {
  S3Target t{"http://127.0.0.1:9000", "bundles-bucket", "us-west-2", {"AKID", "SECRET"}};
  HttpRequest r = BuildS3Put(t, "mozilla-central/abc.zstd.hg", "data", "application/octet-stream",
                             {{"Cache-Control", "max-age=60"}},
                             std::chrono::system_clock::from_time_t(1700000000));
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/bundles-bucket/mozilla-central/abc.zstd.hg");
  EXPECT_EQ(r.body, "data");
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["x-amz-date"], "20231114T221320Z");
  EXPECT_EQ(h["x-amz-content-sha256"], Sha256Hex("data"));
  EXPECT_EQ(h["Cache-Control"], "max-age=60");
  const std::string& auth = h["Authorization"];
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKID/20231114/us-west-2/s3/aws4_request, "
                       "SignedHeaders=cache-control;content-type;host;x-amz-content-sha256;"
                       "x-amz-date, Signature=",
                       0),
            0u)
      << auth;
  // The signature covers the key: another key signs differently.
  HttpRequest other = BuildS3Put(t, "mozilla-central/abd.zstd.hg", "data",
                                 "application/octet-stream", {{"Cache-Control", "max-age=60"}},
                                 std::chrono::system_clock::from_time_t(1700000000));
  std::map<std::string, std::string> h2(other.headers.begin(), other.headers.end());
  EXPECT_NE(h2["Authorization"], auth);
}

}  // namespace
}  // namespace hgc
