#include "cluster/cluster_cmd.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "cluster/repo_lifecycle.h"
#include "cluster/setup.h"
#include "cluster/status.h"
#include "cluster/supervisor.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/html_escape.h"
#include "common/loopback_port.h"
#include "common/subprocess.h"
#include "consumer/consumer_state.h"
#include "frontdoor/user_repo_menu.h"
#include "hg/hg_runner.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "leader/replicate.h"
#include "log/kafka_local.h"
#include "master/act_as_master.h"
#include "master/master_state.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

std::string Instructions(const ClusterState& state) {
  const std::string& root = state.root;
  const LeaderState& leader = state.leader;
  std::string out = fmt::format(
      "hgcluster: cluster at {} is up ({} log, {} mirrors)\n\n"
      "Create a repository on the leader:\n"
      "  hgcluster repo create --root {} NAME\n"
      "  (or: HGRCPATH={} hg init {}/NAME)\n\n"
      "Push to the leader:\n"
      "  hg push --ssh '{}' {}/NAME\n\n",
      root, state.log.backend, state.mirrors.size(), root, leader.hgrcpath, leader.repos,
      leader.ssh, leader.push_url_prefix);
  if (leader.frontdoor) {
    const FrontdoorState& fd = *leader.frontdoor;
    out += fmt::format(
        "Or over the SSH front door (sshd on 127.0.0.1:{}, user {}):\n"
        "  hg push -e '{}' {}NAME\n\n",
        fd.port, fd.user, fd.ssh, fd.push_url_prefix);
  }
  out += "Clone from a mirror:\n";
  for (const auto& m : state.mirrors) {
    out += fmt::format("  hg clone {}NAME        # {}\n", m.http, m.name);
  }
  out += fmt::format(
      "\nWatch it:  hgcluster status --root {} [--json]\n"
      "Stop it:   hgcluster down --root {}\n",
      root, root);
  return out;
}

// A producer agent listens on its Unix socket.
bool UnixSocketAccepts(const std::string& path) {
  sockaddr_un addr{};
  if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

bool WaitReady(const ClusterLayout& layout, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      ClusterState s = layout.LoadState();
      bool ready = ProcessAlive(s.supervisor_pid);
      for (const auto& m : s.mirrors) {
        std::string state_file = ConsumerStateFile(layout.mirror_dir(m.name), m.group);
        ready = ready && ProcessAlive(m.pid) && fs::exists(state_file);
        if (ready && m.http_port) {
          // The web front answers 200 on /__health once an hg worker serves.
          httplib::Client web("127.0.0.1", m.http_port);
          web.set_connection_timeout(1);
          auto r = web.Get("/__health");
          ready = r && r->status == 200;
        }
      }
      // Some leader host holds the master role (its monitor says so).
      bool master = false;
      for (const auto& h : s.leader.hosts) {
        auto st = ReadMasterState(h.master_state);
        master = master || (st && st->Holds(WallNow()) && ProcessAlive(h.monitor_pid));
        // Each leader host's producer agent answers on its socket.
        if (h.has_agent()) {
          ready = ready && ProcessAlive(h.agent_pid) && UnixSocketAccepts(h.agent_socket);
        }
      }
      ready = ready && master;
      if (ready && s.leader.frontdoor) {
        // sshd accepts connections on its loopback port.
        const FrontdoorState& fd = *s.leader.frontdoor;
        ready = ProcessAlive(fd.sshd_pid) && LoopbackPortAccepts(fd.port);
      }
      if (ready) return true;
    } catch (const Error&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

int StartSupervisor(const ClusterLayout& layout) {
  ClusterState state = layout.LoadState();
  // Clear stale consumer and master state so readiness means "started by
  // this run".
  for (const auto& h : state.leader.hosts) fs::remove(h.master_state);
  for (const auto& m : state.mirrors) {
    fs::remove(ConsumerStateFile(layout.mirror_dir(m.name), m.group));
  }
  SpawnDaemon({SelfExecutable(), "supervise", "--root", layout.root}, layout.supervisor_log());
  if (!WaitReady(layout, std::chrono::seconds(60))) {
    std::cerr << "cluster did not become ready within 60s; see " << layout.supervisor_log()
              << " and the mirrors' consumer.log files" << std::endl;
    return 1;
  }
  return 0;
}

namespace {

// `--log kafka-local[:N]`: the number of brokers, or 0 for any other log.
int KafkaLocalBrokers(const std::string& log_url) {
  constexpr std::string_view kScheme = "kafka-local";
  if (log_url.rfind(kScheme, 0) != 0) return 0;
  std::string rest = log_url.substr(kScheme.size());
  if (rest.empty()) return 3;
  int n = 0;
  if (rest.size() == 2 && rest[0] == ':' && rest[1] >= '1' && rest[1] <= '9') n = rest[1] - '0';
  if (n == 0) {
    throw Error(ErrorKind::kUsage,
                fmt::format("bad --log '{}': use kafka-local:N with N brokers from 1 to 9 "
                            "(e.g. kafka-local:3)",
                            log_url));
  }
  return n;
}

void StopKafkaLocalOf(const ClusterState& state) {
  const std::string& dir = state.log.kafka_local;
  if (dir.empty()) return;
  int n = StopKafkaLocal(dir);
  std::cout << fmt::format("kafka-local at {} stopped ({} nodes)", dir, n) << std::endl;
}

int Up(const std::string& root, SetupOptions options, bool detach) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  fs::create_directories(layout.root);
  try {
    ClusterState old = layout.LoadState();
    if (ProcessAlive(old.supervisor_pid)) {
      std::cerr << fmt::format(
                       "a cluster is already running at {} (supervisor pid {}); stop it "
                       "with `hgcluster down --root {}`",
                       layout.root, old.supervisor_pid, layout.root)
                << std::endl;
      return 1;
    }
  } catch (const Error&) {
  }
  if (int brokers = KafkaLocalBrokers(options.log_url)) {
    // A real Kafka under ROOT, started before the daemons that use it.
    KafkaLocalOptions kafka;
    kafka.dir = layout.root + "/kafka";
    kafka.brokers = brokers;
    std::cout << fmt::format("starting {} Kafka broker(s) in {}", brokers, kafka.dir) << std::endl;
    options.log_url = "kafka://" + StartKafkaLocal(kafka);
    options.kafka_local_dir = kafka.dir;
  }
  ClusterState state;
  try {
    state = SetupCluster(layout, options);
  } catch (const Error&) {
    if (!options.kafka_local_dir.empty()) StopKafkaLocal(options.kafka_local_dir);
    throw;
  }
  if (!detach) {
    std::cout << Instructions(state) << std::flush;
    int status = Supervise(layout);
    StopKafkaLocalOf(state);
    return status;
  }
  if (int status = StartSupervisor(layout); status != 0) return status;
  std::cout << Instructions(layout.LoadState()) << std::flush;
  return 0;
}

int Down(const std::string& root) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  ClusterState state = layout.LoadState();
  std::vector<int> pids;
  int sup = state.supervisor_pid;
  if (ProcessAlive(sup)) pids.push_back(sup);
  // The supervisor stops its daemons; signalling them too covers a
  // supervisor that died and left them behind.
  auto add = [&](int pid) {
    if (ProcessAlive(pid)) pids.push_back(pid);
  };
  for (const auto& m : state.mirrors) {
    add(m.pid);
    add(m.heads_pid);
    add(m.http_pid);
  }
  for (const auto& h : state.leader.hosts) {
    add(h.monitor_pid);
    add(h.agent_pid);
  }
  if (state.leader.frontdoor) add(state.leader.frontdoor->sshd_pid);
  for (int pid : pids) kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  for (int pid : pids) {
    while (ProcessAlive(pid)) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::cout << fmt::format("cluster at {} stopped ({} processes)", layout.root, pids.size())
            << std::endl;
  // Last: the daemons above may still have been writing to it.
  StopKafkaLocalOf(state);
  return 0;
}

// `hgcluster verify [NAME...]`: `replicate verify` as the master host, for
// the named leader repositories or (`--all`) every one.
int Verify(const std::string& root, const std::vector<std::string>& names) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  layout.LoadState();
  ReplicateOptions o;
  o.config_path = layout.leader_hgrc();
  if (names.empty()) {
    o.all = true;
    o.under = {layout.leader_repos()};
    return ReplicateVerify(o);
  }
  int status = 0;
  for (const auto& name : names) {
    if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos ||
        !fs::exists(layout.leader_repos() + "/" + name + "/.hg")) {
      std::cerr << "no repository '" << name << "' on the leader (names are relative to "
                << layout.leader_repos() << ")" << std::endl;
      status = 1;
      continue;
    }
    o.repo = layout.leader_repos() + "/" + name;
    status |= ReplicateVerify(o) == 0 ? 0 : 1;
  }
  return status;
}

// A one-line [web] description or contact for hgweb's index: the first
// line, printable characters only, as the SSH front door's user-repository
// menu takes it. hgweb shows the description as is, so it is HTML-escaped;
// the contact goes through hgweb's obfuscate filter, which escapes it.
// nullopt (with the reason on stderr) when refused.
std::optional<std::string> IndexText(const std::string& what, const std::string& text,
                                     bool escape) {
  std::string line = text.substr(0, text.find_first_of("\r\n\v\f"));
  for (unsigned char ch : line) {
    if (ch < 0x20 || ch == 0x7f) {
      std::cerr << "--" << what << " must contain only printable characters" << std::endl;
      return std::nullopt;
    }
  }
  return escape ? HtmlEscape(line, "&#x27;") : line;
}

int RepoCreate(const std::string& root, const std::string& name, const std::string& group,
               const std::string& description, const std::string& contact) {
  ClusterLayout layout = ClusterLayoutAsMaster(root);
  layout.LoadState();
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) {
    std::cerr << "invalid repository name '" << name
              << "': use a relative path without '..' (e.g. mozilla-central or projects/ash)"
              << std::endl;
    return 1;
  }
  auto web_description = IndexText("description", description, /*escape=*/true);
  auto web_contact = IndexText("contact", contact, /*escape=*/false);
  if (!web_description || !web_contact) return 1;
  std::string path = layout.leader_repos() + "/" + name;
  if (fs::exists(path + "/.hg")) {
    std::cerr << "repository " << name << " already exists at " << path << std::endl;
    return 1;
  }
  fs::create_directories(fs::path(path).parent_path());
  // With the leader's configuration: its hooks announce the new repository.
  ProcessResult r = PlainHg(LeaderHgrcPath(layout))->Run("", {"init", path});
  std::cout << r.out;
  std::cerr << r.err;
  if (!r.ok()) return r.exit_code;
  std::string hgrc;
  // The owning group: who may push over the SSH front door (src/frontdoor/).
  if (!group.empty()) hgrc = SetHgrcValue(hgrc, "hgcluster", "group", group);
  // What hgweb's index shows for the repository on every mirror.
  if (!web_description->empty()) hgrc = SetHgrcValue(hgrc, "web", "description", *web_description);
  if (!web_contact->empty()) hgrc = SetHgrcValue(hgrc, "web", "contact", *web_contact);
  if (!hgrc.empty()) WriteFileAtomic(path + "/.hg/hgrc", hgrc);
  std::cout << "created " << path << std::endl;
  if (!web_description->empty() || !web_contact->empty()) {
    ReplicateOptions replicate;
    replicate.config_path = layout.leader_hgrc();
    replicate.repo = path;
    return ReplicateHgrc(replicate);
  }
  return 0;
}

}  // namespace

void RegisterClusterCommands(CLI::App& app) {
  auto root = std::make_shared<std::string>();
  auto options = std::make_shared<SetupOptions>();
  auto detach = std::make_shared<bool>(false);
  auto* up = app.add_subcommand("up", "create and run a local cluster (leader, mirrors, log)");
  up->add_option("--root", *root, "cluster directory (default: $HGCLUSTER_ROOT, else cwd)");
  up->add_option("--mirrors", options->mirrors, "number of mirrors")->capture_default_str();
  up->add_option("--log", options->log_url,
                 "log URL: kafka://host:port[,host:port], or kafka-local:N to run N real Kafka "
                 "brokers under ROOT/kafka (default: embedded log in ROOT/log)");
  up->add_option("--kafka-retention-ms", options->kafka_retention_ms,
                 "retention.ms of the Kafka topics up creates")
      ->capture_default_str();
  up->add_option("--kafka-segment-ms", options->kafka_segment_ms,
                 "segment.ms of the Kafka topics up creates (default: the broker's)");
  up->add_option("--kafka-max-message-bytes", options->kafka_max_message_bytes,
                 "max.message.bytes of the Kafka topics up creates, and the leader's limit "
                 "(default 104857600)");
  up->add_option("--workers", options->workers, "repositories each consumer applies at once")
      ->capture_default_str();
  up->add_flag("--detach", *detach, "run in the background; return once ready");
  up->add_option("--webhook", options->webhooks,
                 "announce fully replicated pushes to NAME=URL (repeatable)");
  up->add_option("--notifier", options->notifiers,
                 "also run a notifier: pulse=INI, sns=INI or webhooks=INI (repeatable)");
  up->add_option("--ldap", options->ldap_url,
                 "SSH accounts also from LDAP at this URL (ldap://host:port)");
  up->add_option("--ldap-basedn", options->ldap_basedn, "where people are (default dc=mozilla)");
  up->add_option("--ldap-groups-basedn", options->ldap_groups_basedn,
                 "where posixGroups are (default ou=groups,dc=mozilla)");
  up->add_flag("--standby", options->standby,
               "a second leader host, `standby`, sharing the leader's repositories; "
               "`hgcluster master failover --to standby` hands it the master role");
  up->add_option("--zookeeper", options->zookeeper,
                 "decide the master host with ZooKeeper (host:port,...) instead of "
                 "master.<host> files");
  up->add_option("--session-timeout", options->session_timeout_ms,
                 "ZooKeeper session timeout in ms: how long a dead master keeps the role")
      ->capture_default_str();
  up->add_option("--verify-every", options->verify_every,
                 "seconds between the master's verify of every repository (0: never)")
      ->capture_default_str();
  up->add_flag("--direct-producer", options->direct_producer,
               "no producer agent: every hook process opens its own log producer");
  up->add_flag("--process-hooks", options->process_hooks,
               "start each leader hook as a process (`hgcluster hook NAME`) instead of having "
               "the producer agent run it in-process");
  up->add_flag("--no-push-bundles", options->no_push_bundles,
               "changegroup events without the push as a bundle: mirrors pull every push from "
               "the leader (as reference consumers reading the same log do)");
  up->add_option("--pull-over", options->pull_over,
                 "how mirrors pull from the leader: path (its repositories directory), ssh "
                 "(the SSH front door as the replication account, one kept session per "
                 "repository) or http (the leader's hg serve for mirrors, kept connections)")
      ->capture_default_str();
  up->add_option("--webhook-secret", options->webhook_secret,
                 "HMAC-SHA256 key for the X-Hgcluster-Signature header");
  up->callback([=] { throw CLI::RuntimeError(Up(*root, *options, *detach)); });

  auto* sup = app.add_subcommand("supervise", "run a cluster's daemons (used by up --detach)");
  sup->add_option("--root", *root, "cluster directory");
  sup->callback([=] { throw CLI::RuntimeError(Supervise(ClusterLayoutAsMaster(*root))); });

  auto json = std::make_shared<bool>(false);
  auto* status = app.add_subcommand("status", "show a cluster: processes, lag, stuck repos");
  status->add_option("--root", *root, "cluster directory");
  status->add_flag("--json", *json, "print one JSON object");
  status->callback([=] {
    nlohmann::json s = ClusterStatus(ClusterLayoutAsMaster(*root));
    std::cout << (*json ? s.dump(2) + "\n" : FormatStatus(s));
    throw CLI::RuntimeError(0);
  });

  auto* down = app.add_subcommand("down", "stop a cluster's daemons");
  down->add_option("--root", *root, "cluster directory");
  down->callback([=] { throw CLI::RuntimeError(Down(*root)); });

  auto name = std::make_shared<std::string>();
  auto* repo = app.add_subcommand("repo", "manage leader repositories");
  repo->require_subcommand(1);
  auto* create = repo->add_subcommand("create", "create a repository on the leader");
  create->add_option("--root", *root, "cluster directory");
  create->add_option("name", *name, "repository name, e.g. mozilla-central")->required();
  auto group = std::make_shared<std::string>();
  create->add_option("--group", *group,
                     "owning group: only its members may push over SSH (e.g. scm_level_3)");
  auto description = std::make_shared<std::string>();
  create->add_option("--description", *description,
                     "one line hgweb's index shows for it on every mirror ([web] description)");
  auto contact = std::make_shared<std::string>();
  create->add_option("--contact", *contact,
                     "who to ask about it, shown in hgweb's index ([web] contact)");
  create->callback(
      [=] { throw CLI::RuntimeError(RepoCreate(*root, *name, *group, *description, *contact)); });
  RegisterRepoLifecycleCommands(*repo);

  auto verify_names = std::make_shared<std::vector<std::string>>();
  auto* verify = app.add_subcommand(
      "verify",
      "mirrors compare repositories with the leader's (all, or the named ones) and "
      "re-clone what differs; verdicts in `status`");
  verify->add_option("--root", *root, "cluster directory");
  verify->add_option("name", *verify_names, "repository names (default: every repository)");
  verify->callback([=] { throw CLI::RuntimeError(Verify(*root, *verify_names)); });
}

}  // namespace hgc
