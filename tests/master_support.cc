#include "master_support.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "log/log.h"
#include "message/message.h"

namespace hgc::test {

std::vector<WrittenEvent> ReadEvents(const std::string& log_url, const std::string& topic) {
  auto log = OpenLog(log_url, "master-test");
  std::vector<WrittenEvent> out;
  int n = log->PartitionCount(topic);
  for (int p = 0; p < n; ++p) {
    int64_t high = log->GetWatermarks(topic, p).high;
    auto cursor = log->OpenCursor({{topic, p, 0}});
    int64_t next = 0;
    for (int polls = 0; next < high && polls < 200; ++polls) {
      for (const auto& r : cursor->Poll(1000, std::chrono::milliseconds(100))) {
        next = r.offset + 1;
        WrittenEvent e;
        e.partition = p;
        e.offset = r.offset;
        Message m = DecodeMessage(r.value);
        e.name = m.name;
        e.epoch = m.body.value("_master_epoch", int64_t{-1});
        e.host = m.body.value("_master_host", "");
        e.heads = m.heads;
        out.push_back(e);
      }
    }
  }
  return out;
}

std::string SingleMasterViolation(const std::vector<WrittenEvent>& events) {
  std::map<int64_t, std::string> writer;
  std::map<int, int64_t> last;
  for (const auto& e : events) {
    if (e.epoch < 0) return fmt::format("{} at {}/{} has no epoch", e.name, e.partition, e.offset);
    auto [it, fresh] = writer.emplace(e.epoch, e.host);
    if (!fresh && it->second != e.host) {
      return fmt::format("epoch {} written by {} and {}", e.epoch, it->second, e.host);
    }
    if (last.count(e.partition) && e.epoch < last[e.partition]) {
      return fmt::format("partition {} goes back from epoch {} to {} at offset {}", e.partition,
                         last[e.partition], e.epoch, e.offset);
    }
    last[e.partition] = e.epoch;
  }
  return "";
}

std::map<int, std::string> RunningServiceHosts(const std::vector<std::string>& words) {
  std::map<int, std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmd(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(cmd)), {});
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    bool all = !cmdline.empty();
    for (const auto& w : words) all = all && cmdline.find(w) != std::string::npos;
    if (!all) continue;
    std::ifstream env(entry.path() / "environ");
    std::string var;
    std::string host = "?";
    while (std::getline(env, var, '\0')) {
      if (var.rfind("HGCLUSTER_HOST=", 0) == 0) host = var.substr(15);
    }
    out[std::stoi(pid)] = host;
  }
  return out;
}

std::vector<std::string> AggregatorHosts(const std::string& root) {
  std::vector<std::string> hosts;
  for (const auto& [pid, host] : RunningServiceHosts({" aggregate ", root})) {
    hosts.push_back(host);
  }
  return hosts;
}

bool AggregatorsOn(const std::string& root, const std::string& host) {
  auto hosts = AggregatorHosts(root);
  if (hosts.size() != 2) return false;
  for (const auto& h : hosts) {
    if (h != host) return false;
  }
  return true;
}

}  // namespace hgc::test
