// Notifier consume loop. Thread-safety: see notifier_loop.h.
#include "notify/notifier_loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "common/error.h"
#include "common/logline.h"
#include "message/message.h"
#include "notify/notification_builder.h"

namespace hgc {
namespace {

using std::chrono::milliseconds;

// The `name` of a framed JSON object, even of a type we do not know.
std::optional<std::string> RecordName(std::string_view value) {
  if (!value.starts_with("1\n")) return std::nullopt;
  auto body = nlohmann::json::parse(value.substr(2), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  auto it = body.find("name");
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string Seconds(milliseconds d) {
  return fmt::format("{:.3g}", static_cast<double>(d.count()) / 1000.0);
}

}  // namespace

std::map<int, int64_t> NotifierStartOffsets(const NotifierConfig& config, Log& log,
                                            const std::string& group, int64_t start_from) {
  int n = log.PartitionCount(config.topic);
  std::vector<int> partitions;
  for (int p = 0; p < n; ++p) partitions.push_back(p);
  auto committed = log.Committed(group, config.topic, partitions);
  std::map<int, int64_t> start;
  for (int p : partitions) {
    if (start_from != 0) {
      start[p] = start_from;
    } else {
      auto it = committed.find(p);
      start[p] = it != committed.end() ? it->second : log.GetWatermarks(config.topic, p).low;
    }
  }
  return start;
}

int SkipNextRecord(const NotifierConfig& config, Log& log, const std::string& group,
                   int64_t start_from) {
  for (const auto& [p, off] : NotifierStartOffsets(config, log, group, start_from)) {
    if (off >= log.GetWatermarks(config.topic, p).high) continue;
    auto cursor = log.OpenCursor({{config.topic, p, off}});
    std::vector<LogRecord> records;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (records.empty() && std::chrono::steady_clock::now() < deadline) {
      records = cursor->Poll(1, milliseconds(200));
    }
    if (records.empty()) continue;
    std::string name = RecordName(records.front().value).value_or("UNKNOWN");
    log.Commit(group, config.topic, {{p, records.front().offset + 1}});
    std::cout << "skipped " << name << " message in partition " << p << " for group " << group
              << std::endl;
    return 0;
  }
  std::cout << "no message available; nothing to skip" << std::endl;
  return 1;
}

NotifierLoop::NotifierLoop(const NotifierConfig& config, Log& log, NotificationSink& sink,
                           NotifierLoopOptions options)
    : config_(config),
      log_(log),
      sink_(sink),
      options_(std::move(options)),
      recent_(options_.dedupe_window) {}

void NotifierLoop::Note(const std::string& line) const {
  LogLine(kPushNotificationsLogger,
          options_.label.empty() ? line : "[" + options_.label + "] " + line);
}

std::unique_ptr<LogCursor> NotifierLoop::Open() {
  if (next_.empty()) {
    next_ = NotifierStartOffsets(config_, log_, options_.group, options_.start_from);
    Preload(next_);
  }
  std::vector<TopicPartitionOffset> positions;
  for (const auto& [p, off] : next_) positions.push_back({config_.topic, p, off});
  return log_.OpenCursor(positions);
}

void NotifierLoop::Preload(const std::map<int, int64_t>& start) {
  // Events just before the start were handled by an earlier run; a
  // duplicate of one of them must be recognised after a restart too.
  for (const auto& [p, off] : start) {
    int64_t from = std::max<int64_t>(log_.GetWatermarks(config_.topic, p).low,
                                     off - static_cast<int64_t>(options_.dedupe_window));
    if (from >= off) continue;
    auto cursor = log_.OpenCursor({{config_.topic, p, from}});
    int64_t next = from;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (next < off && std::chrono::steady_clock::now() < deadline) {
      for (const auto& r : cursor->Poll(static_cast<size_t>(off - next), milliseconds(200))) {
        if (r.offset >= off) break;
        next = r.offset + 1;
        try {
          Message m = DecodeMessage(r.value);
          recent_.Add(EventKey(r.value, &m.body), r.offset);
        } catch (const Error&) {
          recent_.Add(EventKey(r.value, nullptr), r.offset);
        }
      }
    }
  }
}

void NotifierLoop::Commit(const LogRecord& r) {
  log_.Commit(options_.group, config_.topic, {{r.partition, r.offset + 1}});
  next_[r.partition] = r.offset + 1;
}

bool NotifierLoop::Handle(const LogRecord& r, const std::atomic<bool>& stop) {
  std::optional<Message> m;
  try {
    m = DecodeMessage(r.value);
  } catch (const Error& e) {
    auto name = RecordName(r.value);
    if (e.kind() == ErrorKind::kUnknownMessage && name) {
      Note(*name + " message not relevant to push notifier; ignoring");
      Commit(r);
      return true;
    }
    throw Error(ErrorKind::kMalformed,
                fmt::format("cannot decode the record at offset {} of {} partition {}: {}; "
                            "`--skip` moves past it",
                            r.offset, config_.topic, r.partition, e.what()));
  }
  std::string key = EventKey(r.value, &m->body);
  if (auto seen = recent_.Find(key)) {
    Note(
        fmt::format("{} at offset {} duplicates the event at offset {}; already handled, "
                    "ignoring",
                    DisplayMessage(*m), r.offset, *seen));
    Commit(r);
    return true;
  }
  for (int attempt = 0;; ++attempt) {
    try {
      auto n = BuildNotification(*m, r.partition, r.offset, config_);
      if (n) {
        n->event_key = key;
        sink_.Deliver(*n);
      }
      break;
    } catch (const std::exception& e) {
      // A payload that can never be turned into a notification is not
      // retried (the reference's ValueError); the daemon stops on it.
      auto* error = dynamic_cast<const Error*>(&e);
      if (error != nullptr && error->kind() == ErrorKind::kMalformed) throw;
      auto delay = config_.retry.Delay(attempt);
      Note(fmt::format("error notifying {} at offset {} (attempt {}): {}; retrying in {} s",
                       DisplayMessage(*m), r.offset, attempt + 1, e.what(), Seconds(delay)));
      if (!WaitUnlessStopped(delay, stop)) return false;
    }
  }
  // Remembered before the commit: if the commit fails, the re-read copy is
  // recognised as handled.
  recent_.Add(key, r.offset);
  Commit(r);
  return true;
}

void NotifierLoop::Run(const std::atomic<bool>& stop) {
  std::unique_ptr<LogCursor> cursor;
  auto poll = milliseconds(
      std::clamp<int64_t>(static_cast<int64_t>(config_.poll_timeout * 1000), 10, 1000));
  while (!stop.load()) {
    try {
      if (!cursor) cursor = Open();
      for (const auto& r : cursor->Poll(16, poll)) {
        if (stop.load() || !Handle(r, stop)) return;
      }
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kLogUnavailable) throw;
      Note(fmt::format("error using the replication log: {}; retrying", e.what()));
      cursor.reset();
      WaitUnlessStopped(milliseconds(500), stop);
    }
  }
}

}  // namespace hgc
