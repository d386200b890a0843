// AWS Signature V4: AWS's published examples (IAM ListUsers from "Signature
// Version 4 signing process", the aws-sig-v4-test-suite's get-vanilla
// family, the S3 header-auth worked examples), and a cross-check against
// libcurl's independent CURLOPT_AWS_SIGV4 implementation.
#include "notify/sigv4.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include "common/digest.h"
#include "notify/test_http_receiver.h"
#include "notify/test_sigv4_verify.h"

namespace hgc {
namespace {

const char* kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const SigV4Credentials kDocs{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
const SigV4Credentials kS3Docs{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};

TEST(SigV4, IamListUsersExampleFromTheAwsDocs) {
  SigV4Request r;
  r.method = "GET";
  r.canonical_uri = "/";
  r.query = {{"Version", "2010-05-08"}, {"Action", "ListUsers"}};
  r.headers = {{"Host", "iam.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"X-Amz-Date", "20150830T123600Z"}};
  r.payload_hash = Sha256Hex("");
  SigV4Signature s = SignV4(r, kDocs, "us-east-1", "iam", "20150830T123600Z");
  EXPECT_EQ(s.canonical_request,
            "GET\n"
            "/\n"
            "Action=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
            "host:iam.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n"
            "\n"
            "content-type;host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(s.canonical_request),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20150830T123600Z\n"
            "20150830/us-east-1/iam/aws4_request\n"
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(s.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

SigV4Signature Vanilla(const std::string& method,
                       std::vector<std::pair<std::string, std::string>> query) {
  SigV4Request r;
  r.method = method;
  r.query = std::move(query);
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  r.payload_hash = kEmptyHash;
  return SignV4(r, kDocs, "us-east-1", "service", "20150830T123600Z");
}

TEST(SigV4, TestSuiteGetVanilla) {
  SigV4Signature s = Vanilla("GET", {});
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(s.canonical_request),
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, TestSuiteQueryOrderAndPostVanilla) {
  EXPECT_EQ(Vanilla("GET", {{"Param2", "value2"}, {"Param1", "value1"}}).signature,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  EXPECT_EQ(Vanilla("POST", {}).signature,
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

SigV4Signature S3Example(const std::string& method, const std::string& uri,
                         std::vector<std::pair<std::string, std::string>> query,
                         std::vector<std::pair<std::string, std::string>> extra,
                         const std::string& payload_hash) {
  SigV4Request r;
  r.method = method;
  r.canonical_uri = uri;
  r.query = std::move(query);
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", payload_hash},
               {"x-amz-date", "20130524T000000Z"}};
  r.headers.insert(r.headers.end(), extra.begin(), extra.end());
  r.payload_hash = payload_hash;
  return SignV4(r, kS3Docs, "us-east-1", "s3", "20130524T000000Z");
}

TEST(SigV4, S3HeaderAuthExamples) {
  EXPECT_EQ(S3Example("GET", "/test.txt", {}, {{"Range", "bytes=0-9"}}, kEmptyHash).signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  std::string body_hash = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(body_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Signature put = S3Example(
      "PUT", "/" + AwsUriEncode("test$file.text", false), {},
      {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      body_hash);
  EXPECT_EQ(put.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(put.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  EXPECT_EQ(S3Example("GET", "/", {{"lifecycle", ""}}, {}, kEmptyHash).signature,
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  EXPECT_EQ(S3Example("GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, {}, kEmptyHash).signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, UriEncoding) {
  EXPECT_EQ(AwsUriEncode("events/2015-08-30/x~y_z.json", false), "events/2015-08-30/x~y_z.json");
  EXPECT_EQ(AwsUriEncode("a b/c+d=é", true), "a%20b%2Fc%2Bd%3D%C3%A9");
  EXPECT_EQ(AmzDate(std::chrono::system_clock::from_time_t(1440938160)), "20150830T123600Z");
}

// libcurl's own SigV4 signer (CURLOPT_AWS_SIGV4) signs a PUT; ours, given
// what arrived, must compute the same signature.
TEST(SigV4, AgreesWithLibcurlsSigner) {
  test::TestHttpReceiver receiver;
  CURL* c = curl_easy_init();
  ASSERT_NE(c, nullptr);
  std::string url = receiver.url() + "/bucket/events/2015-08-30/0000000001-x.json";
  std::string body = R"({"hello": "world"})";
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_AWS_SIGV4, "aws:amz:us-west-2:s3");
  curl_easy_setopt(c, CURLOPT_USERPWD, "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  ASSERT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].Header("Authorization").find("AWS4-HMAC-SHA256"), std::string::npos);
  EXPECT_EQ(test::VerifySigV4(requests[0], kDocs, "us-west-2", "s3"), "");
}

}  // namespace
}  // namespace hgc
