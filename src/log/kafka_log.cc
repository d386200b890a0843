// Kafka backend of the replication log (librdkafka C API). Offsets of the
// broker are the log's offsets; nothing is stored locally.
// Thread-safety: the producer and the per-group handles are created lazily
// under `mu_` and shared through shared_ptr, so a handle replaced after a fatal
// producer error stays alive until the last call using it returns. librdkafka
// handles themselves are thread-safe.
#include "log/kafka_log.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "common/error.h"
#include "log/kafka_handle.h"

namespace hgc {
namespace {

// Pushes carry whole bundles: the reference allows messages up to 100 MiB.
// A little headroom covers the record batch framing around one such message.
constexpr int kMaxMessageBytes = 101 * 1024 * 1024;
// Between two requests refused while a partition's leadership moves.
constexpr std::chrono::milliseconds kLeaderRetryPause{100};

// Errors of a whole client handle (not of one request) after which a cursor
// cannot read; anything else librdkafka recovers from by itself.
bool IsOutage(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__FATAL ||
         err == RD_KAFKA_RESP_ERR__AUTHENTICATION;
}

// Errors a request gets while a partition's leadership moves (a broker
// stopped, removed or rebalanced): the next metadata refresh names the new
// leader, so the request is worth repeating until its deadline.
bool IsLeadershipMoving(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
         err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH ||
         err == RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH ||
         err == RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE;
}

// Errors of a group request while the group's coordinator moves or loads
// (a cluster just started, a broker gone): nothing was read or stored, and
// the coordinator lookup librdkafka then does finds the new one.
bool IsCoordinatorMoving(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS;
}

int TimeoutMs(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::clamp<int64_t>(timeout.count(), 0, INT32_MAX));
}

void PrintLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  // FAIL repeats, per connection, what the error callback already reports.
  if (strcmp(facility, "FAIL") == 0) return;
  fprintf(stderr, "kafka %s: %s: %s\n", rd_kafka_name(rk), facility, message);
}

void PrintError(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
  // A dropped or refused connection is retried by librdkafka and repeats
  // every few seconds per broker; a whole outage is reported as
  // _ALL_BROKERS_DOWN, and callers see the failures of their own requests.
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT) return;
  fprintf(stderr, "kafka %s: %s (%s)\n", rd_kafka_name(rk), reason,
          rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)));
}

// Owns an rd_kafka_conf_t until rd_kafka_new takes it over.
class KafkaConf {
 public:
  KafkaConf() : conf_(rd_kafka_conf_new()) {}
  KafkaConf(KafkaConf&& other) noexcept : conf_(std::exchange(other.conf_, nullptr)) {}
  KafkaConf(const KafkaConf&) = delete;
  KafkaConf& operator=(const KafkaConf&) = delete;
  ~KafkaConf() {
    if (conf_) rd_kafka_conf_destroy(conf_);
  }

  void Set(const std::string& name, const std::string& value) {
    char errstr[512];
    if (rd_kafka_conf_set(conf_, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      throw Error(ErrorKind::kConfig,
                  fmt::format("bad Kafka client setting {}={}: {}", name, value, errstr));
    }
  }
  rd_kafka_conf_t* get() { return conf_; }
  rd_kafka_conf_t* release() { return std::exchange(conf_, nullptr); }

 private:
  rd_kafka_conf_t* conf_;
};

KafkaHandle NewKafkaHandle(rd_kafka_type_t type, KafkaConf conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (!rk) {
    throw Error(ErrorKind::kConfig, fmt::format("cannot create a Kafka client: {}", errstr));
  }
  conf.release();  // rd_kafka_new owns it now
  return KafkaHandle(rk);
}

class PartitionList {
 public:
  explicit PartitionList(size_t size)
      : list_(rd_kafka_topic_partition_list_new(static_cast<int>(size))) {}
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
  ~PartitionList() { rd_kafka_topic_partition_list_destroy(list_); }

  void Add(const std::string& topic, int partition, int64_t offset) {
    rd_kafka_topic_partition_list_add(list_, topic.c_str(), partition)->offset = offset;
  }
  rd_kafka_topic_partition_list_t* get() { return list_; }

 private:
  rd_kafka_topic_partition_list_t* list_;
};

// Everything a handle needs to know about the cluster, shared by all handles
// of one KafkaLog.
struct KafkaConfig {
  std::string brokers;
  std::string client_id;
  KafkaOptions options;

  KafkaConf BaseConf() const {
    KafkaConf conf;
    conf.Set("bootstrap.servers", brokers);
    conf.Set("client.id", client_id);
    conf.Set("log_level", "3");  // errors only; librdkafka is chatty at the default 6
    conf.Set("log.connection.close", "false");
    // Metadata requests for an unknown topic must not create it with the
    // broker's default partition count (no effect on brokers that only speak
    // Metadata v0-3, such as librdkafka's mock, which always auto-creates).
    conf.Set("allow.auto.create.topics", "false");
    // Every append waits for its acknowledgement: a request must leave at
    // once, not wait for Nagle's algorithm to coalesce it.
    conf.Set("socket.nagle.disable", "true");
    // A broker host that vanishes without closing its connections (cut off,
    // powered off) answers nothing: its requests fail after 10 s instead of
    // librdkafka's 60 s, so readers and writers move to the partitions' new
    // leaders (elected within broker.session.timeout.ms) instead of waiting
    // on the dead one for a minute; reconnecting to it gives up after 5 s.
    conf.Set("socket.timeout.ms", "10000");
    conf.Set("socket.connection.setup.timeout.ms", "5000");
    conf.Set("socket.keepalive.enable", "true");
    rd_kafka_conf_set_log_cb(conf.get(), PrintLog);
    rd_kafka_conf_set_error_cb(conf.get(), PrintError);
    return conf;
  }

  Error Unavailable(const std::string& what, rd_kafka_resp_err_t err,
                    const std::string& detail = "") const {
    return Error(
        ErrorKind::kLogUnavailable,
        fmt::format("Kafka at {}: {}: {}{}{}; check that the brokers are running and "
                    "reachable from this host",
                    brokers, what, rd_kafka_err2str(err), detail.empty() ? "" : "; ", detail));
  }
};

// Offsets of one synchronous append, filled in by delivery reports.
class PendingAppend {
 public:
  explicit PendingAppend(size_t count) : offsets_(count, -1), remaining_(count) {}

  void Delivered(size_t index, rd_kafka_resp_err_t err, int64_t offset) {
    std::lock_guard lock(mu_);
    offsets_[index] = offset;
    Settle(1, err);
  }
  // Values that never reached librdkafka's queue.
  void NotQueued(size_t count, rd_kafka_resp_err_t err) {
    std::lock_guard lock(mu_);
    Settle(count, err);
  }
  // False if the reports did not all arrive by `deadline`.
  bool Wait(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    return done_.wait_until(lock, deadline, [this] { return remaining_ == 0; });
  }
  // Only valid after Wait returned true.
  rd_kafka_resp_err_t error() const { return error_; }
  const std::vector<int64_t>& offsets() const { return offsets_; }

 private:
  void Settle(size_t count, rd_kafka_resp_err_t err) {
    if (err && !error_) error_ = err;
    remaining_ -= count;
    if (remaining_ == 0) done_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable done_;
  std::vector<int64_t> offsets_;
  size_t remaining_;
  rd_kafka_resp_err_t error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
};

// Per-message opaque: which append and which of its values.
struct DeliveryTicket {
  std::shared_ptr<PendingAppend> append;
  size_t index;
};

// One idempotent producer plus the thread that serves its delivery reports,
// so each appending thread only waits for its own messages.
class KafkaProducer {
 public:
  explicit KafkaProducer(const KafkaConfig& config) : config_(config) {
    KafkaConf conf = config.BaseConf();
    conf.Set("enable.idempotence", "true");
    conf.Set("acks", "all");
    conf.Set("linger.ms", "0");  // appends are synchronous: nothing to wait for
    conf.Set("message.timeout.ms", std::to_string(TimeoutMs(config.options.delivery_timeout)));
    conf.Set("compression.codec", config.options.compression);
    // librdkafka compares the *uncompressed* value with its own
    // message.max.bytes; the limit that matters is the brokers' on the
    // compressed record, checked by the caller (log/message_size.h) and by
    // the broker (MSG_SIZE_TOO_LARGE below). So the client allows its
    // maximum.
    conf.Set("message.max.bytes", "1000000000");
    rd_kafka_conf_set_dr_msg_cb(conf.get(), OnDelivery);
    rk_ = NewKafkaHandle(RD_KAFKA_PRODUCER, std::move(conf));
    reporter_ = std::thread([this] {
      while (!stopping_) rd_kafka_poll(rk_.get(), 100);
    });
  }

  ~KafkaProducer() {
    // Only an append that gave up waiting leaves messages behind; purge them
    // so destroying the handle does not wait for their delivery timeout.
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    stopping_ = true;
    rd_kafka_queue_t* reports = rd_kafka_queue_get_main(rk_.get());
    rd_kafka_queue_yield(reports);  // end the reporter's current wait now
    rd_kafka_queue_destroy(reports);
    reporter_.join();
    rd_kafka_poll(rk_.get(), 0);  // serve the purge reports, which free their tickets
  }

  rd_kafka_t* handle() { return rk_.get(); }

  // True once an idempotence failure made the handle unusable.
  bool fatal() {
    char reason[256];
    return rd_kafka_fatal_error(rk_.get(), reason, sizeof reason) != RD_KAFKA_RESP_ERR_NO_ERROR;
  }

  std::vector<int64_t> Produce(const std::string& topic, int partition,
                               const std::vector<std::string_view>& values) {
    auto append = std::make_shared<PendingAppend>(values.size());
    {
      // Enqueue a batch without interleaving with other threads so its
      // offsets are contiguous (one partition + idempotence keep queue order).
      std::lock_guard lock(enqueue_mu_);
      // The analyzer cannot see that rd_kafka_producev's opaque hands the
      // ticket to librdkafka (and its delivery report, which deletes it).
      // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
      for (size_t i = 0; i < values.size(); ++i) {
        auto ticket = std::make_unique<DeliveryTicket>(DeliveryTicket{append, i});
        // F_BLOCK waits for queue space instead of failing; the reporter
        // thread keeps draining it.
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_VALUE(const_cast<char*>(values[i].data()), values[i].size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_BLOCK),
            RD_KAFKA_V_OPAQUE(ticket.get()), RD_KAFKA_V_END);
        if (err) {
          append->NotQueued(values.size() - i, err);
          break;
        }
        // Queued: librdkafka owns it now, and its delivery report deletes it.
        static_cast<void>(ticket.release());
      }
    }
    std::string what = fmt::format("cannot append to {}/{}", topic, partition);
    // librdkafka reports every message within message.timeout.ms; the slack
    // only guards against a report that never comes.
    if (!append->Wait(std::chrono::steady_clock::now() + config_.options.delivery_timeout +
                      std::chrono::seconds(5))) {
      throw config_.Unavailable(what, RD_KAFKA_RESP_ERR__TIMED_OUT, "no delivery report");
    }
    if (rd_kafka_resp_err_t err = append->error()) {
      if (err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
          err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        // Retrying cannot help, so not kLogUnavailable; kConfig as in the
        // embedded log.
        throw Error(ErrorKind::kConfig,
                    fmt::format("{}: Kafka at {} has no such partition ({}); check the configured "
                                "partition count against the topic",
                                what, config_.brokers, rd_kafka_err2str(err)));
      }
      if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ||
          err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE) {
        throw Error(ErrorKind::kTooLarge,
                    fmt::format("{}: Kafka at {} refused a record as too large ({}): it exceeds "
                                "the topic's max.message.bytes even compressed; nothing of it was "
                                "written",
                                what, config_.brokers, rd_kafka_err2str(err)));
      }
      std::string detail;
      if (err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) {
        detail = fmt::format("no broker acknowledged it within {} ms",
                             config_.options.delivery_timeout.count());
      }
      throw config_.Unavailable(what, err, detail);
    }
    return append->offsets();
  }

 private:
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
    std::unique_ptr<DeliveryTicket> ticket(static_cast<DeliveryTicket*>(message->_private));
    ticket->append->Delivered(ticket->index, message->err, message->offset);
  }

  const KafkaConfig config_;
  KafkaHandle rk_;
  std::mutex enqueue_mu_;
  std::atomic<bool> stopping_{false};
  std::thread reporter_;
};

// Reads assigned partitions from explicit offsets; no group membership, no
// commits (the caller commits through Log::Commit).
class KafkaCursor : public LogCursor {
 public:
  KafkaCursor(const KafkaConfig& config, const std::vector<TopicPartitionOffset>& start)
      : config_(config) {
    KafkaConf conf = config.BaseConf();
    // The consumer API insists on a group; this one is never joined or
    // committed to, so it cannot disturb a real group's offsets.
    conf.Set("group.id", "hgcluster-cursor." + config.client_id);
    conf.Set("enable.auto.commit", "false");
    conf.Set("enable.auto.offset.store", "false");
    conf.Set("enable.partition.eof", "false");
    conf.Set("auto.offset.reset", config.options.out_of_range_reset);
    conf.Set("fetch.wait.max.ms", std::to_string(TimeoutMs(config.options.fetch_wait)));
    conf.Set("fetch.max.bytes", std::to_string(kMaxMessageBytes));
    conf.Set("receive.message.max.bytes", std::to_string(kMaxMessageBytes + 1024 * 1024));
    rd_kafka_conf_set_error_cb(conf.get(), OnError);
    rd_kafka_conf_set_opaque(conf.get(), this);
    rk_ = NewKafkaHandle(RD_KAFKA_CONSUMER, std::move(conf));
    rd_kafka_poll_set_consumer(rk_.get());
    PartitionList list(start.size());
    for (const TopicPartitionOffset& s : start) {
      list.Add(s.topic, s.partition, s.offset);
      assigned_.emplace(s.topic, s.partition);
    }
    if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get())) {
      throw config_.Unavailable("cannot assign partitions to a reader", err);
    }
  }

  ~KafkaCursor() override {
    // Nothing to leave or commit; skip the close handshake so a dead
    // cluster cannot stall shutdown.
    rd_kafka_destroy_flags(rk_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }

  std::vector<LogRecord> Poll(size_t max_records, std::chrono::milliseconds timeout) override {
    ThrowPendingError();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<LogRecord> records;
    while (records.size() < max_records && !pending_error_) {
      // Block only while we have nothing to return.
      int wait = 0;
      if (records.empty()) {
        wait = TimeoutMs(std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now()),
                                  std::chrono::milliseconds(0)));
      }
      std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> message(
          rd_kafka_consumer_poll(rk_.get(), wait), rd_kafka_message_destroy);
      if (!message) {
        if (!records.empty() || std::chrono::steady_clock::now() >= deadline) break;
        continue;
      }
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (message->err) {
        // Records already taken have advanced the position: hand them out
        // now and report the error on the next call.
        pending_error_ = Describe(message.get());
        break;
      }
      LogRecord& r = records.emplace_back();
      r.topic = rd_kafka_topic_name(message->rkt);
      r.partition = message->partition;
      r.offset = message->offset;
      if (message->payload) {
        r.value.assign(static_cast<const char*>(message->payload), message->len);
      }
    }
    if (records.empty()) ThrowPendingError();
    return records;
  }

  void Seek(const std::string& topic, int partition, int64_t offset) override {
    if (!assigned_.count({topic, partition})) {
      throw Error(ErrorKind::kNotFound,
                  fmt::format("cannot seek {}/{}: this reader was not opened on that partition",
                              topic, partition));
    }
    PartitionList list(1);
    list.Add(topic, partition, offset);
    std::string what = fmt::format("cannot seek {}/{} to offset {}", topic, partition, offset);
    if (rd_kafka_error_t* error = rd_kafka_seek_partitions(
            rk_.get(), list.get(), TimeoutMs(config_.options.request_timeout))) {
      rd_kafka_resp_err_t err = rd_kafka_error_code(error);
      rd_kafka_error_destroy(error);
      throw config_.Unavailable(what, err);
    }
    if (rd_kafka_resp_err_t err = list.get()->elems[0].err) throw config_.Unavailable(what, err);
  }

 private:
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    PrintError(rk, err, reason, opaque);
    auto code = static_cast<rd_kafka_resp_err_t>(err);
    // Runs inside rd_kafka_consumer_poll, on the cursor's own thread.
    if (IsOutage(code)) {
      static_cast<KafkaCursor*>(opaque)->pending_error_ =
          fmt::format("{} ({})", reason, rd_kafka_err2name(code));
    }
  }

  static std::string Describe(const rd_kafka_message_t* message) {
    std::string where;
    if (message->rkt) {
      where = fmt::format(" on {}/{}", rd_kafka_topic_name(message->rkt), message->partition);
    }
    return fmt::format("{}{}", rd_kafka_message_errstr(message), where);
  }

  void ThrowPendingError() {
    if (!pending_error_) return;
    std::string reason = std::exchange(pending_error_, std::nullopt).value();
    throw Error(ErrorKind::kLogUnavailable,
                fmt::format("Kafka at {}: cannot read: {}; check that the brokers are running and "
                            "reachable from this host",
                            config_.brokers, reason));
  }

  const KafkaConfig config_;
  KafkaHandle rk_;
  std::set<std::pair<std::string, int>> assigned_;
  std::optional<std::string> pending_error_;
};

// Offset fetch/commit for one consumer group through a consumer handle that
// never subscribes: the group is only an offset namespace.
class GroupOffsets {
 public:
  GroupOffsets(const KafkaConfig& config, const std::string& group)
      : group_(group), rk_(NewKafkaHandle(RD_KAFKA_CONSUMER, GroupConf(config, group))) {}

  ~GroupOffsets() {
    // Nothing to leave or auto-commit; skip the close handshake so a dead
    // cluster cannot stall shutdown.
    rd_kafka_destroy_flags(rk_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }

  std::map<int, int64_t> Fetch(const KafkaConfig& config, const std::string& topic,
                               const std::vector<int>& partitions) {
    rd_kafka_poll(rk_.get(), 0);  // drain errors queued since the last call
    PartitionList list(partitions.size());
    for (int p : partitions) list.Add(topic, p, RD_KAFKA_OFFSET_INVALID);
    auto deadline = std::chrono::steady_clock::now() + config.options.request_timeout;
    rd_kafka_resp_err_t err;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      err = rd_kafka_committed(rk_.get(), list.get(), TimeoutMs(left));
      if (!IsCoordinatorMoving(err) || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(kLeaderRetryPause);
    }
    if (err) {
      throw config.Unavailable(
          fmt::format("cannot read committed offsets of group '{}' for {}", group_, topic), err);
    }
    std::map<int, int64_t> out;
    for (int i = 0; i < list.get()->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = list.get()->elems[i];
      if (tp.err) {
        throw config.Unavailable(fmt::format("cannot read committed offset of group '{}' for "
                                             "{}/{}",
                                             group_, topic, tp.partition),
                                 tp.err);
      }
      if (tp.offset >= 0) out[tp.partition] = tp.offset;
    }
    return out;
  }

  void Commit(const KafkaConfig& config, const std::string& topic,
              const std::map<int, int64_t>& offsets) {
    if (offsets.empty()) return;
    rd_kafka_poll(rk_.get(), 0);
    PartitionList list(offsets.size());
    for (const auto& [p, offset] : offsets) list.Add(topic, p, offset);
    // Not rd_kafka_commit(async=0): it takes no timeout, so a missing
    // coordinator could block the caller indefinitely. A private reply queue
    // gives the same synchronous result with a bound.
    std::unique_ptr<rd_kafka_queue_t, void (*)(rd_kafka_queue_t*)> replies(
        rd_kafka_queue_new(rk_.get()), rd_kafka_queue_destroy);
    std::string what = fmt::format("cannot commit offsets of group '{}' for {}", group_, topic);
    auto deadline = std::chrono::steady_clock::now() + config.options.request_timeout;
    using Event = std::unique_ptr<rd_kafka_event_t, void (*)(rd_kafka_event_t*)>;
    Event event(nullptr, rd_kafka_event_destroy);
    while (true) {
      rd_kafka_resp_err_t err =
          rd_kafka_commit_queue(rk_.get(), list.get(), replies.get(), nullptr, nullptr);
      if (err) throw config.Unavailable(what, err);
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      event = Event(rd_kafka_queue_poll(replies.get(), TimeoutMs(left)), rd_kafka_event_destroy);
      if (!event) {
        throw config.Unavailable(what, RD_KAFKA_RESP_ERR__TIMED_OUT,
                                 "the commit may or may not have been stored");
      }
      // A commit refused by a moving coordinator stored nothing: send it again.
      if (!IsCoordinatorMoving(rd_kafka_event_error(event.get())) ||
          std::chrono::steady_clock::now() >= deadline) {
        break;
      }
      std::this_thread::sleep_for(kLeaderRetryPause);
    }
    rd_kafka_resp_err_t err;
    if ((err = rd_kafka_event_error(event.get()))) throw config.Unavailable(what, err);
    const rd_kafka_topic_partition_list_t* result =
        rd_kafka_event_topic_partition_list(event.get());
    for (int i = 0; result && i < result->cnt; ++i) {
      if (result->elems[i].err) {
        throw config.Unavailable(fmt::format("{} partition {}", what, result->elems[i].partition),
                                 result->elems[i].err);
      }
    }
  }

 private:
  static KafkaConf GroupConf(const KafkaConfig& config, const std::string& group) {
    KafkaConf conf = config.BaseConf();
    conf.Set("group.id", group);
    conf.Set("enable.auto.commit", "false");
    conf.Set("enable.auto.offset.store", "false");
    return conf;
  }

  std::string group_;
  KafkaHandle rk_;
};

class KafkaLog : public Log {
 public:
  explicit KafkaLog(KafkaConfig config) : config_(std::move(config)) {}

  std::string Backend() const override { return "kafka"; }

  void EnsureTopic(const std::string& topic, int partitions) override {
    std::optional<int> have = TopicPartitions(topic);
    if (!have) {
      throw Error(ErrorKind::kNotFound,
                  fmt::format("Kafka topic '{}' does not exist on {}; create the replication "
                              "topics with `hgcluster kafka-topics --bootstrap-server {} "
                              "--partitions {}` (or ask the cluster's operator for it with {} "
                              "partition(s))",
                              topic, config_.brokers, config_.brokers, partitions, partitions));
    }
    if (*have < partitions) {
      throw Error(ErrorKind::kNotFound,
                  fmt::format("Kafka topic '{}' on {} has {} partition(s) but {} are configured; "
                              "add partitions to the topic or lower the configured count",
                              topic, config_.brokers, *have, partitions));
    }
  }

  int PartitionCount(const std::string& topic) override {
    std::optional<int> have = TopicPartitions(topic);
    if (!have) {
      throw Error(ErrorKind::kNotFound,
                  fmt::format("Kafka topic '{}' does not exist on {}", topic, config_.brokers));
    }
    return *have;
  }

  int64_t Append(const std::string& topic, int partition, std::string_view value) override {
    return Produce(topic, partition, std::vector<std::string_view>{value}).front();
  }

  int64_t AppendBatch(const std::string& topic, int partition,
                      const std::vector<std::string>& values) override {
    // Like the embedded log: nothing appended, the offset the next would get.
    if (values.empty()) return GetWatermarks(topic, partition).high;
    std::vector<std::string_view> views(values.begin(), values.end());
    return Produce(topic, partition, views).front();
  }

  Watermarks GetWatermarks(const std::string& topic, int partition) override {
    // Not rd_kafka_query_watermark_offsets: in librdkafka 2.0.2 it ignores its
    // timeout while the leader is unreachable (minutes of retries).
    // offsets_for_times honours it, and ListOffsets maps the logical
    // timestamps -2/-1 to the low/high watermark.
    std::shared_ptr<KafkaProducer> producer = GetProducer();
    auto deadline = std::chrono::steady_clock::now() + config_.options.request_timeout;
    auto query = [&](int64_t logical) {
      for (;;) {
        PartitionList list(1);
        list.Add(topic, partition, logical);
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(producer->handle(), list.get(),
                                                             std::max(1, TimeoutMs(left)));
        if (!err) err = list.get()->elems[0].err;
        if (!err) return list.get()->elems[0].offset;
        if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
            err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
          throw Error(ErrorKind::kNotFound,
                      fmt::format("Kafka partition {}/{} does not exist on {}", topic, partition,
                                  config_.brokers));
        }
        // A broker that just lost the partition answers NOT_LEADER until our
        // metadata names the new leader: refresh it (all topics, so nothing
        // is auto-created) and ask again while the deadline allows.
        if (!IsLeadershipMoving(err) ||
            std::chrono::steady_clock::now() + kLeaderRetryPause >= deadline) {
          throw config_.Unavailable(
              fmt::format("cannot read watermarks of {}/{}", topic, partition), err);
        }
        std::this_thread::sleep_for(kLeaderRetryPause);
        const rd_kafka_metadata_t* md = nullptr;
        left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (!rd_kafka_metadata(producer->handle(), 1, nullptr, &md, std::max(1, TimeoutMs(left))) &&
            md) {
          rd_kafka_metadata_destroy(md);
        }
      }
    };
    Watermarks marks;
    marks.low = query(RD_KAFKA_OFFSET_BEGINNING);
    marks.high = query(RD_KAFKA_OFFSET_END);
    return marks;
  }

  std::map<int, int64_t> Committed(const std::string& group, const std::string& topic,
                                   const std::vector<int>& partitions) override {
    if (partitions.empty()) return {};
    return GetGroup(group)->Fetch(config_, topic, partitions);
  }

  void Commit(const std::string& group, const std::string& topic,
              const std::map<int, int64_t>& offsets) override {
    GetGroup(group)->Commit(config_, topic, offsets);
  }

  std::unique_ptr<LogCursor> OpenCursor(const std::vector<TopicPartitionOffset>& start) override {
    return std::make_unique<KafkaCursor>(config_, start);
  }

 private:
  // Partition count from cluster-wide metadata, nullopt if the topic is
  // unknown. Asking for all topics rather than this one matters: a metadata
  // request naming a topic auto-creates it on brokers (and the mock) that
  // allow auto-creation, with the wrong partition count.
  std::optional<int> TopicPartitions(const std::string& topic) {
    std::shared_ptr<KafkaProducer> producer = GetProducer();
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(producer->handle(), 1, nullptr, &md,
                                                TimeoutMs(config_.options.request_timeout));
    if (err) {
      throw config_.Unavailable(fmt::format("cannot read metadata of topic '{}'", topic), err);
    }
    std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> guard(
        md, rd_kafka_metadata_destroy);
    for (int i = 0; i < md->topic_cnt; ++i) {
      const rd_kafka_metadata_topic_t& t = md->topics[i];
      if (topic != t.topic) continue;
      if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return std::nullopt;
      return t.partition_cnt;
    }
    return std::nullopt;
  }

  std::vector<int64_t> Produce(const std::string& topic, int partition,
                               const std::vector<std::string_view>& values) {
    std::shared_ptr<KafkaProducer> producer = GetProducer();
    try {
      return producer->Produce(topic, partition, values);
    } catch (const Error&) {
      if (!producer->fatal()) throw;
    }
    // A fatal idempotence error poisons the handle for good. Like the
    // reference we try once more, on a fresh producer; the first attempt may
    // have been stored, so consumers must tolerate a duplicate.
    DropProducer(producer);
    return GetProducer()->Produce(topic, partition, values);
  }

  std::shared_ptr<KafkaProducer> GetProducer() {
    std::lock_guard lock(mu_);
    if (!producer_) producer_ = std::make_shared<KafkaProducer>(config_);
    return producer_;
  }

  void DropProducer(const std::shared_ptr<KafkaProducer>& broken) {
    std::lock_guard lock(mu_);
    if (producer_ == broken) producer_.reset();
  }

  std::shared_ptr<GroupOffsets> GetGroup(const std::string& group) {
    std::lock_guard lock(mu_);
    std::shared_ptr<GroupOffsets>& slot = groups_[group];
    if (!slot) slot = std::make_shared<GroupOffsets>(config_, group);
    return slot;
  }

  const KafkaConfig config_;
  std::mutex mu_;
  std::shared_ptr<KafkaProducer> producer_;
  std::map<std::string, std::shared_ptr<GroupOffsets>> groups_;
};

}  // namespace

std::unique_ptr<Log> OpenKafkaLog(const std::string& brokers, const std::string& client_id,
                                  const KafkaOptions& options) {
  if (brokers.empty()) {
    throw Error(ErrorKind::kConfig, "no Kafka brokers given: use kafka://host:port[,host:port]");
  }
  return std::make_unique<KafkaLog>(KafkaConfig{brokers, client_id, options});
}

std::string KafkaBrokersFromUrl(const std::string& url) {
  constexpr std::string_view kScheme = "kafka://";
  if (url.rfind(kScheme, 0) != 0) {
    throw Error(ErrorKind::kConfig,
                fmt::format("'{}' is not a Kafka URL: use kafka://host:port[,host:port]", url));
  }
  std::string brokers = url.substr(kScheme.size());
  while (!brokers.empty() && brokers.back() == '/') brokers.pop_back();
  size_t start = 0;
  while (true) {
    size_t end = std::min(brokers.find(',', start), brokers.size());
    std::string_view broker = std::string_view(brokers).substr(start, end - start);
    size_t colon = broker.rfind(':');
    if (broker.empty() || colon == 0 || colon == std::string_view::npos ||
        colon + 1 == broker.size() ||
        !std::all_of(broker.begin() + colon + 1, broker.end(),
                     [](unsigned char c) { return std::isdigit(c); })) {
      throw Error(ErrorKind::kConfig,
                  fmt::format("bad broker '{}' in Kafka URL '{}': each broker must be host:port",
                              broker, url));
    }
    if (end == brokers.size()) break;
    start = end + 1;
  }
  return brokers;
}

}  // namespace hgc
