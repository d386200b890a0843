// SNS notifier sink. Thread-safety: see sns_sink.h.
#include "notify/sns_sink.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "common/digest.h"
#include "common/error.h"
#include "common/logline.h"
#include "common/text.h"
#include "message/message.h"
#include "notify/http_client.h"
#include "notify/s3_put.h"

namespace hgc {
namespace {

constexpr size_t kSnsMessageLimit = 260000;  // SNS allows 256 KiB

// datetime.utcfromtimestamp(t): microseconds rounded half-even, which may
// carry into the next second.
std::tm UtcFromTimestamp(double t) {
  double whole;
  double frac = std::modf(t, &whole);
  double us = std::nearbyint(frac * 1e6);
  if (us >= 1e6) whole += 1;
  if (us < 0) whole -= 1;
  std::time_t seconds = static_cast<std::time_t>(whole);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

std::string Strftime(const std::tm& tm, const char* format) {
  char buf[64];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

void Check(const HttpResponse& r, const std::string& what) {
  if (r.ok()) return;
  throw Error(ErrorKind::kIo,
              fmt::format("{} returned HTTP {}: {}", what, r.status, r.body.substr(0, 500)));
}

}  // namespace

AwsEventsConfig AwsEventsConfig::Load(const IniFile& ini) {
  const char* s = "awsevents";
  AwsEventsConfig c;
  c.credentials.access_key_id = ini.Require(s, "access_key_id");
  c.credentials.secret_access_key = ini.Require(s, "secret_access_key");
  c.region = ini.Require(s, "region");
  c.topic_arn = ini.Require(s, "topic_arn");
  c.bucket = ini.Require(s, "bucket");
  // boto3's defaults; us-east-1 is S3's one region without its name in
  // the host.
  std::string s3_default = c.region == "us-east-1" ? "https://s3.amazonaws.com"
                                                   : "https://s3." + c.region + ".amazonaws.com";
  c.s3_endpoint_url = TrimTrailingSlashes(ini.GetOr(s, "s3_endpoint_url", s3_default));
  c.sns_endpoint_url = TrimTrailingSlashes(
      ini.GetOr(s, "sns_endpoint_url", "https://sns." + c.region + ".amazonaws.com"));
  c.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(ini.GetDouble(s, "timeout", 30) * 1000));
  return c;
}

SnsSink::SnsSink(AwsEventsConfig config, Clock clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

std::string SnsSink::ObjectKey(int64_t offset, double created) {
  std::tm tm = UtcFromTimestamp(created);
  return fmt::format("events/{}/{:010d}-{}.json", Strftime(tm, "%Y-%m-%d"), offset,
                     Strftime(tm, "%Y%m%dT%H%M%S"));
}

std::string SnsSink::SnsMessage(const PushNotification& n, const std::string& data_url,
                                bool* dropped_payload) {
  std::string message =
      PythonJsonDumps({{"type", n.type}, {"data", ToSortedJson(n.data)}, {"data_url", data_url}});
  *dropped_payload = message.size() > kSnsMessageLimit;
  if (*dropped_payload) {
    message = PythonJsonDumps(
        {{"type", n.type}, {"data_url", data_url}, {"external", true}, {"repo_url", n.repo_url}});
  }
  return message;
}

void SnsSink::PutObject(const std::string& key, const std::string& body) {
  HttpRequest request = BuildS3Put(
      S3Target{config_.s3_endpoint_url, config_.bucket, config_.region, config_.credentials}, key,
      body, "application/json", {}, clock_());
  request.timeout = config_.timeout;
  Check(SendHttp(request), "S3 PUT " + request.url);
}

void SnsSink::Publish(const std::string& message) {
  UrlParts endpoint = SplitUrl(config_.sns_endpoint_url);
  std::string body = "Action=Publish&Message=" + AwsUriEncode(message, true) +
                     "&TopicArn=" + AwsUriEncode(config_.topic_arn, true) + "&Version=2010-03-31";
  SigV4Request sig;
  sig.method = "POST";
  sig.canonical_uri = endpoint.path;
  sig.payload_hash = Sha256Hex(body);
  sig.headers = {{"Host", endpoint.authority},
                 {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"x-amz-date", AmzDate(clock_())}};
  SigV4Signature signature =
      SignV4(sig, config_.credentials, config_.region, "sns", sig.headers.back().second);
  HttpRequest request;
  request.method = "POST";
  request.url = config_.sns_endpoint_url;
  request.headers = sig.headers;
  request.headers.emplace_back("Authorization", signature.authorization);
  request.body = std::move(body);
  request.timeout = config_.timeout;
  Check(SendHttp(request), "SNS Publish to " + config_.topic_arn);
}

void SnsSink::Deliver(const PushNotification& n) {
  LogLine(kSnsLogger,
          fmt::format("processing message {}: {} for {}", n.offset, n.type, n.repo_url));
  double created = n.created.is_number() ? n.created.get<double>() : 0.0;
  std::string key = ObjectKey(n.offset, created);
  std::string s3_body = PythonJsonDumps(
      {{"created", n.created}, {"id", n.offset}, {"type", n.type}, {"data", ToSortedJson(n.data)}});
  std::string data_url = config_.s3_endpoint_url + "/" + config_.bucket + "/" + key;
  bool dropped = false;
  std::string message = SnsMessage(n, data_url, &dropped);
  if (dropped) LogLine(kSnsLogger, "message too large for SNS; dropping payload");
  LogLine(kSnsLogger, "uploading to S3: " + data_url);
  if (uploaded_event_ != n.event_key || n.event_key.empty()) {
    PutObject(key, s3_body);
    uploaded_event_ = n.event_key;
  }
  LogLine(kSnsLogger, "sending SNS notification to " + config_.topic_arn);
  Publish(message);
  LogLine(kSnsLogger, fmt::format("finished processing message {}", n.offset));
}

}  // namespace hgc
