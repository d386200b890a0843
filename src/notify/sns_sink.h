// The SNS notifier's sink (spec/hosting.md §2.6): stores each event in S3
// (`events/<date>/<offset %010d>-<time>.json`) and then publishes it, or a
// pointer to it when too large, to an SNS topic. Both requests are signed
// with AWS Signature V4 (sigv4.h); endpoints are configurable so tests and
// S3-compatible stores can stand in for AWS.
// Thread-safety: one SnsSink per thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/ini.h"
#include "notify/push_notification.h"
#include "notify/sigv4.h"

namespace hgc {

inline constexpr const char* kSnsLogger = "vcsreplicator.snsnotifier";

struct AwsEventsConfig {
  SigV4Credentials credentials;
  std::string region;
  std::string topic_arn;
  std::string bucket;
  std::string s3_endpoint_url;   // default https://s3.<region>.amazonaws.com
  std::string sns_endpoint_url;  // default https://sns.<region>.amazonaws.com
  std::chrono::milliseconds timeout{30000};

  // [awsevents]; throws Error(kConfig) for a missing key.
  static AwsEventsConfig Load(const IniFile& ini);
};

class SnsSink : public NotificationSink {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  explicit SnsSink(AwsEventsConfig config, Clock clock = std::chrono::system_clock::now);

  void Deliver(const PushNotification& n) override;

  // `events/<YYYY-MM-DD>/<offset %010d>-<YYYYmmddTHHMMSS>.json`, UTC of
  // `created` (seconds since the epoch).
  static std::string ObjectKey(int64_t offset, double created);

  // The SNS message for a notification whose S3 copy is at `data_url`.
  static std::string SnsMessage(const PushNotification& n, const std::string& data_url,
                                bool* dropped_payload);

 private:
  void PutObject(const std::string& key, const std::string& body);
  void Publish(const std::string& message);

  AwsEventsConfig config_;
  Clock clock_;
  // The event whose S3 object is already stored, so a retry after a failed
  // publish does not upload it again.
  std::string uploaded_event_;
};

}  // namespace hgc
