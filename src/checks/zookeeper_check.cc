#include "checks/zookeeper_check.h"

#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "checks/zk_four_letter.h"
#include "checks/zoo_cfg.h"
#include "common/check_report.h"
#include "common/error.h"
#include "common/text.h"

namespace hgc {
namespace {

constexpr std::string_view kNotServing = "This ZooKeeper instance is not currently";

// A reply saying the server is up but not serving (no quorum, still starting).
struct NotServing {};

// Python's "%d" of a number: truncated toward zero.
std::string AsInteger(double v) { return std::to_string(static_cast<long long>(v)); }

std::optional<double> Number(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The reference's send_zk_command: the reply, or NotServing.
std::string Ask(const ZkAsk& ask, const std::string& host, int port, std::string_view word) {
  std::string reply = ask(host, port, word);
  if (reply.rfind(kNotServing, 0) == 0) throw NotServing{};
  return reply;
}

struct Report {
  explicit Report(std::ostream& o) : out(o) {}
  std::ostream& out;  // immediate lines go straight out, as the reference prints them
  std::vector<std::string> warnings;
  std::vector<std::string> notices;
  CheckStatus status = CheckStatus::kOk;

  void Now(const std::string& line, CheckStatus s) {
    out << line << "\n";
    Raise(s);
  }
  void Raise(CheckStatus s) { status = Worst(status, s); }
};

void CheckNode(const std::string& host, int port, const ZookeeperCheckOptions& o, const ZkAsk& ask,
               Report& r) {
  try {
    std::string res = Trim(Ask(ask, host, port, "ruok"));
    if (res != "imok") {
      r.Now("NODE CRITICAL - not responding \"imok\": " + OneLine(res), CheckStatus::kCritical);
    }
    res = Trim(Ask(ask, host, port, "isro"));
    if (res != "rw") {
      r.Now("NODE CRITICAL - not in read/write mode: " + OneLine(res), CheckStatus::kCritical);
    }
    auto state = ParseMntr(Ask(ask, host, port, "mntr"));
    auto latency = Number(state, "zk_avg_latency");
    if (latency && *latency >= o.max_average_latency) {
      r.Now("NODE WARNING - average latency higher than expected: " + AsInteger(*latency) + " > " +
                AsInteger(o.max_average_latency),
            CheckStatus::kWarning);
    }
    auto open = Number(state, "zk_open_file_descriptor_count");
    auto max = Number(state, "zk_max_file_descriptor_count");
    if (open && max && *max > 0 && *open / *max * 100 >= o.max_file_descriptor_percentage) {
      r.Now("NODE WARNING - open file descriptors above percentage limit: " + AsInteger(*open),
            CheckStatus::kWarning);
    }
  } catch (const Error& e) {
    r.Now("socket error connecting to " + host + ": " + OneLine(e.what()), CheckStatus::kCritical);
  } catch (const NotServing&) {
    r.warnings.push_back("NODE CRITICAL - not available: " + host);
    r.Raise(CheckStatus::kCritical);
  }
}

void CheckEnsemble(const std::vector<ZkMember>& members, const ZkAsk& ask, Report& r) {
  std::optional<std::map<std::string, std::string>> leader;
  for (const auto& m : members) {
    try {
      std::string res = Trim(Ask(ask, m.host, m.client_port, "ruok"));
      if (res != "imok") {
        r.warnings.push_back("ENSEMBLE WARNING - node (" + m.host + ") not OK: " + OneLine(res));
        r.Raise(CheckStatus::kWarning);
        continue;
      }
      auto state = ParseMntr(Ask(ask, m.host, m.client_port, "mntr"));
      std::string mode = state["zk_server_state"];
      if (mode == "leader") {
        leader = state;
      } else if (mode != "follower") {
        r.warnings.push_back("invalid server state on " + m.host + ": " + mode);
        r.Raise(CheckStatus::kWarning);
      }
    } catch (const Error& e) {
      r.notices.push_back("ENSEMBLE WARNING - socket error connecting to " + m.host + ": " +
                          OneLine(e.what()));
      r.Raise(CheckStatus::kWarning);
    } catch (const NotServing&) {
      r.warnings.push_back("ENSEMBLE WARNING - node (" + m.host + ") is alive but not available");
      r.Raise(CheckStatus::kWarning);
    }
  }
  if (!leader) {
    r.Now("ENSEMBLE CRITICAL - unable to find leader node; ensemble likely not writable",
          CheckStatus::kCritical);
    return;
  }
  // ZooKeeper 3.4 calls every connected learner zk_followers; 3.5+ renamed
  // it zk_learners. Both count observers too, as the reference did.
  auto followers = Number(*leader, "zk_followers");
  if (!followers) followers = Number(*leader, "zk_learners");
  double f = followers.value_or(0);
  double synced = Number(*leader, "zk_synced_followers").value_or(0);
  double expected = static_cast<double>(members.size()) - 1;
  if (f != expected) {
    r.warnings.push_back("ENSEMBLE WARNING - only have " + AsInteger(f) + "/" +
                         AsInteger(expected) + " expected followers");
    r.Raise(CheckStatus::kWarning);
  }
  if (f != synced) {
    r.warnings.push_back("ENSEMBLE WARNING - only have " + AsInteger(synced) + "/" + AsInteger(f) +
                         " in sync followers");
    r.Raise(CheckStatus::kWarning);
  }
}

bool SplitHostPort(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    size_t used = 0;
    std::string digits = text.substr(colon + 1);
    *port = std::stoi(digits, &used);
    if (used != digits.size() || *port <= 0 || *port > 65535) return false;
  } catch (const std::exception&) {
    return false;
  }
  *host = text.substr(0, colon);
  return true;
}

}  // namespace

std::map<std::string, std::string> ParseMntr(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    out[line.substr(0, tab)] = Trim(line.substr(tab + 1));
  }
  return out;
}

int RunZookeeperCheck(const ZookeeperCheckOptions& o, const ZkAsk& ask, std::ostream& out) {
  if (o.host.empty() && o.config.empty()) {
    out << "ERROR: must specify -H or -c\n";
    return 2;
  }
  std::string host;
  int port = 0;
  if (!o.host.empty() && !SplitHostPort(o.host, &host, &port)) {
    out << "ERROR: -H wants host:port, not " << o.host << "\n";
    return 2;
  }
  std::vector<ZkMember> members;
  if (!o.config.empty()) {
    std::ifstream in(o.config);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      out << "ERROR: cannot read " << o.config << "\n";
      return 2;
    }
    try {
      members = EnsembleMembers(ParseZooCfg(text.str()));
    } catch (const Error& e) {
      out << "ERROR: " << e.what() << "\n";
      return 2;
    }
  }

  Report r(out);
  if (!o.host.empty()) CheckNode(host, port, o, ask, r);
  if (!o.config.empty()) CheckEnsemble(members, ask, r);
  if (!o.host.empty()) {
    // Reset the statistics, so the next run's average latency is its own.
    // Any failure is ignored: the reference let a "not serving" reply escape
    // here as a traceback.
    try {
      ask(host, port, "srst");
    } catch (const std::exception&) {
    }
  }

  if (r.status == CheckStatus::kOk) {
    out << (o.host.empty()     ? "zookeeper ensemble OK\n"
            : o.config.empty() ? "zookeeper node OK\n"
                               : "zookeeper node and ensemble OK\n");
  }
  for (const auto& w : r.warnings) out << w << "\n";
  for (const auto& n : r.notices) out << n << "\n";
  out << "\n"
         "See https://mozilla-version-control-tools.readthedocs.io/en/latest/hgmo/ops.html\n"
         "for more info on monitor and alerts.\n";
  return static_cast<int>(r.status);
}

int RunZookeeperCheck(const ZookeeperCheckOptions& o, std::ostream& out) {
  return RunZookeeperCheck(
      o,
      [](const std::string& host, int port, std::string_view word) {
        return ZkFourLetterWord(host, port, word);
      },
      out);
}

}  // namespace hgc
