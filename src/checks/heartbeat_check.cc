#include "checks/heartbeat_check.h"

#include <fmt/format.h>
#include <unistd.h>

#include <exception>

#include "common/check_report.h"
#include "common/error.h"
#include "common/ini.h"
#include "leader/producer.h"
#include "log/log.h"

namespace hgc {
namespace {

constexpr int kCritical = static_cast<int>(CheckStatus::kCritical);

int Critical(std::ostream& out, const std::string& line, const std::string& detail = "") {
  out << "CRITICAL - " << line << "\n";
  if (!detail.empty()) out << "\n" << detail << "\n";
  return kCritical;
}

// The reference's wording is about Kafka; the embedded log is a file.
int CannotConnect(std::ostream& out, const ProducerConfig& config, const std::string& error) {
  bool kafka = config.log_url.rfind("kafka://", 0) == 0;
  out << (kafka ? "CRITICAL - cannot establish connection to Kafka\n"
                : fmt::format("CRITICAL - cannot open the replication log {}\n", config.log_url));
  out << "\n" << OneLine(error) << "\n\n";
  out << "The replication log is not reachable from the leader. Every push is\n"
         "refused until it is (the pretxnopen hook cannot write its heartbeat).\n"
         "Check the log's hosts (or file) and report this failure to #vcs.\n";
  return kCritical;
}

}  // namespace

int ReportHeartbeats(int partitions, const std::vector<HeartbeatFailure>& failures,
                     std::ostream& out) {
  if (failures.empty()) {
    out << fmt::format("OK - heartbeat message sent to {}/{} partitions successfully\n", partitions,
                       partitions);
    return 0;
  }
  for (const auto& f : failures) {
    out << fmt::format("CRITICAL - error writing to partition {}: {}\n", f.partition,
                       OneLine(f.message));
  }
  out << "\n"
         "We were unable to write a heartbeat message into the replication\n"
         "log. This likely means incoming pushes will not complete since they\n"
         "will not be able to write to the replication log.\n"
         "\n"
         "Please report this failure to #vcs or notify oncall ASAP.\n";
  return kCritical;
}

int RunHeartbeatCheck(const std::string& hgrc, std::ostream& out) {
  if (hgrc.empty()) {
    return Critical(out, "unable to load hgrc",
                    "pass the leader's hgrc with --config (e.g. ROOT/leader/hgrc)");
  }
  if (access(hgrc.c_str(), R_OK) != 0) return Critical(out, "unable to load hgrc");
  ProducerConfig config;
  try {
    IniFile ini = IniFile::Load(hgrc);
    if (!ini.HasSection("replicationproducer")) {
      return Critical(out, "replication configuration not present");
    }
  } catch (const std::exception& e) {
    return Critical(out, "unable to parse hg config", OneLine(e.what()));
  }
  try {
    config = ProducerConfig::Load(hgrc);
  } catch (const std::exception& e) {
    return Critical(out, "replication configuration not present", OneLine(e.what()));
  }
  int partitions = 0;
  try {
    auto log = OpenLog(config.log_url, "leader-" + config.client_id);
    partitions = log->PartitionCount(config.topic);
  } catch (const std::exception& e) {
    return CannotConnect(out, config, e.what());
  }
  std::vector<HeartbeatFailure> failures;
  try {
    Producer producer(config);
    for (int p = 0; p < partitions; ++p) {
      try {
        producer.SendHeartbeat(p);
      } catch (const std::exception& e) {
        failures.push_back({p, e.what()});
      }
    }
  } catch (const std::exception& e) {
    return CannotConnect(out, config, e.what());
  }
  return ReportHeartbeats(partitions, failures, out);
}

}  // namespace hgc
