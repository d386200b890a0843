// The nodes of `hgcluster kafka-local`: config files, storage formatting,
// JVM start and stop, readiness through the cluster's own metadata.
#include "log/kafka_local.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/loopback_port.h"
#include "common/subprocess.h"
#include "log/kafka_admin.h"
#include "log/kafka_class_archive.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr char kKafkaJar[] = "kafka_2.13-4.1.1.jar";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) throw Error(ErrorKind::kIo, "cannot write " + tmp);
  }
  fs::rename(tmp, path);
}

std::string StatePath(const std::string& dir) { return dir + "/kafka-local.json"; }
std::string NodeDir(const std::string& dir, int id) { return fmt::format("{}/node{}", dir, id); }
std::string NodeConfig(const std::string& dir, int id) {
  return NodeDir(dir, id) + "/server.properties";
}
std::string NodeLog(const std::string& dir, int id) { return NodeDir(dir, id) + "/kafka.log"; }

std::string Tail(const std::string& text, size_t lines) {
  size_t pos = text.size();
  while (lines-- > 0 && pos > 0) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return pos < text.size() ? text.substr(pos + 1) : text;
}

// A Kafka cluster id: 16 random bytes, base64url without padding.
// 16 random bytes in URL-safe base64 without padding, as Kafka's
// Uuid.randomUuid(), which also draws again when the text starts with '-':
// kafka-storage's argument parser would read such an id as an option
// ("argument --cluster-id/-t: expected one argument", one start in 64).
std::string NewClusterId() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device seed;
  std::string id;
  do {
    unsigned char bytes[16];
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(seed());
    id.clear();
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
      acc = (acc << 8) | b;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        id += kAlphabet[(acc >> bits) & 63];
      }
    }
    if (bits > 0) id += kAlphabet[(acc << (6 - bits)) & 63];
  } while (id.front() == '-');
  return id;
}

nlohmann::json LoadState(const std::string& dir) {
  std::string text = ReadText(StatePath(dir));
  if (text.empty()) return nullptr;
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    throw Error(ErrorKind::kConfig, fmt::format("{} is damaged ({}); remove {} to start a new "
                                                "Kafka cluster there (its data is lost)",
                                                StatePath(dir), e.what(), dir));
  }
}

bool IsController(const nlohmann::json& node) { return node.contains("controller_port"); }

int Controllers(const nlohmann::json& state) {
  int n = 0;
  for (const auto& node : state["nodes"]) n += IsController(node) ? 1 : 0;
  return n;
}

nlohmann::json CreateState(const std::string& dir, int brokers,
                           const std::vector<std::string>& hosts, const std::string& launch) {
  nlohmann::json state{{"cluster_id", NewClusterId()}, {"nodes", nlohmann::json::array()}};
  if (!launch.empty()) state["launch"] = launch;
  if (!hosts.empty()) {
    // A host each: the same well-known ports on every address.
    for (size_t i = 0; i < hosts.size(); ++i) {
      state["nodes"].push_back({{"id", static_cast<int>(i) + 1},
                                {"host", hosts[i]},
                                {"port", 9092},
                                {"controller_port", 9093}});
    }
  } else {
    std::vector<int> ports = PickLoopbackPorts(2 * brokers);
    for (int i = 0; i < brokers; ++i) {
      state["nodes"].push_back(
          {{"id", i + 1}, {"port", ports[2 * i]}, {"controller_port", ports[2 * i + 1]}});
    }
  }
  WriteText(StatePath(dir), state.dump(2) + "\n");
  return state;
}

std::string NodeHost(const nlohmann::json& node) { return node.value("host", "127.0.0.1"); }

std::string Bootstrap(const nlohmann::json& state) {
  std::string out;
  for (const auto& n : state["nodes"]) {
    out += fmt::format("{}{}:{}", out.empty() ? "" : ",", NodeHost(n), n["port"].get<int>());
  }
  return out;
}

// The words to put before node `id`'s java command (the cluster's launch
// prefix with {id} replaced).
std::vector<std::string> LaunchPrefix(const nlohmann::json& state, int id) {
  std::vector<std::string> words;
  std::istringstream in(state.value("launch", ""));
  for (std::string w; in >> w;) {
    for (size_t at; (at = w.find("{id}")) != std::string::npos;) {
      w.replace(at, 4, std::to_string(id));
    }
    words.push_back(w);
  }
  return words;
}

std::string NodeProperties(const std::string& dir, const nlohmann::json& state,
                           const nlohmann::json& node) {
  // Nodes added later (`--add-broker`) are brokers only: the controller
  // quorum and the internal topics' settings stay those of the first nodes.
  int n = 0;
  std::string voters;
  for (const auto& v : state["nodes"]) {
    if (!IsController(v)) continue;
    ++n;
    voters += fmt::format("{}{}@{}:{}", voters.empty() ? "" : ",", v["id"].get<int>(), NodeHost(v),
                          v["controller_port"].get<int>());
  }
  int rf = std::min(3, n);
  int isr = std::min(2, rf);
  int id = node["id"].get<int>();
  return fmt::format(
      "# Written by `hgcluster kafka-local`; rewritten at every start.\n"
      "process.roles={roles}\n"
      "node.id={id}\n"
      "controller.quorum.voters={voters}\n"
      "listeners={listeners}\n"
      "advertised.listeners=PLAINTEXT://{host}:{port}\n"
      "controller.listener.names=CONTROLLER\n"
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
      "inter.broker.listener.name=PLAINTEXT\n"
      "log.dirs={data}\n"
      "# Topics come from `hgcluster kafka-topics` / `up`, never from a client's metadata.\n"
      "auto.create.topics.enable=false\n"
      "offsets.topic.replication.factor={rf}\n"
      "offsets.topic.num.partitions=8\n"
      "transaction.state.log.replication.factor={rf}\n"
      "transaction.state.log.min.isr={isr}\n"
      "share.coordinator.state.topic.replication.factor={rf}\n"
      "share.coordinator.state.topic.min.isr={isr}\n"
      "group.initial.rebalance.delay.ms=0\n"
      "# A dead broker is fenced and its partitions get new leaders within ~4 s,\n"
      "# well inside a producer's 10 s delivery timeout (defaults: 9 s + 2 s).\n"
      "broker.heartbeat.interval.ms=500\n"
      "broker.session.timeout.ms=4000\n"
      "# A push carries a whole bundle: the reference allows 100 MiB messages.\n"
      "message.max.bytes=105906176\n"
      "replica.fetch.max.bytes=105906176\n"
      "# Deleting what is past retention is checked every second (default 5 min), so\n"
      "# that a short --retention-ms shows its effect in a test or a rehearsal.\n"
      "log.retention.check.interval.ms=1000\n",
      fmt::arg("id", id), fmt::arg("voters", voters), fmt::arg("port", node["port"].get<int>()),
      fmt::arg("host", NodeHost(node)),
      fmt::arg("roles", IsController(node) ? "broker,controller" : "broker"),
      fmt::arg("listeners",
               IsController(node)
                   ? fmt::format("PLAINTEXT://{0}:{1},CONTROLLER://{0}:{2}", NodeHost(node),
                                 node["port"].get<int>(), node["controller_port"].get<int>())
                   : fmt::format("PLAINTEXT://{}:{}", NodeHost(node), node["port"].get<int>())),
      fmt::arg("data", NodeDir(dir, id) + "/data"), fmt::arg("rf", rf), fmt::arg("isr", isr));
}

constexpr char kLog4j[] =
    "# Written by `hgcluster kafka-local`: warnings and errors on stderr.\n"
    "status = warn\n"
    "appender.console.type = Console\n"
    "appender.console.name = STDERR\n"
    "appender.console.target = SYSTEM_ERR\n"
    "appender.console.layout.type = PatternLayout\n"
    "appender.console.layout.pattern = [%d] %p %m (%c)%n\n"
    "rootLogger.level = warn\n"
    "rootLogger.appenderRef.console.ref = STDERR\n";

std::string FindJava() {
  if (const char* home = getenv("JAVA_HOME"); home && *home) {
    std::string java = std::string(home) + "/bin/java";
    if (access(java.c_str(), X_OK) == 0) return java;
  }
  const char* path = getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin");
  std::string d;
  while (std::getline(dirs, d, ':')) {
    std::string java = d + "/java";
    if (access(java.c_str(), X_OK) == 0) return java;
  }
  throw Error(ErrorKind::kConfig,
              "java not found (JAVA_HOME or PATH): Kafka needs Java 17; install it with "
              "scripts/install-deps.sh (openjdk-17-jre-headless)");
}

void CheckLibs(const std::string& libs) {
  if (!fs::exists(libs + "/" + kKafkaJar)) {
    throw Error(ErrorKind::kConfig,
                fmt::format("Apache Kafka's jars are not in {} (no {}): run "
                            "scripts/install-kafka.sh from the hgcluster source tree, or point "
                            "--libs / HGCLUSTER_KAFKA_LIBS at a directory holding them",
                            libs, kKafkaJar));
  }
}

std::vector<std::string> JavaArgv(const std::string& java, const std::string& dir,
                                  const std::string& libs, bool class_archive) {
  std::vector<std::string> argv{java,
                                "-Xmx512m",
                                "-Xms128m",
                                "-XX:+UseSerialGC",
                                "-XX:TieredStopAtLevel=1",
                                "-XX:+ExitOnOutOfMemoryError",
                                "-Djava.awt.headless=true",
                                "-Dlog4j2.configurationFile=" + dir + "/log4j2.properties"};
  if (class_archive) {
    for (std::string& o : KafkaClassArchiveOptions(java, libs)) argv.push_back(std::move(o));
  }
  argv.push_back("-cp");
  argv.push_back(libs + "/*");
  return argv;
}

// Formats the storage of nodes that have none yet, in parallel (each is a JVM start).
void FormatStorage(const std::string& dir, const nlohmann::json& state,
                   const std::vector<std::string>& java) {
  std::vector<std::thread> threads;
  std::vector<std::string> failures(state["nodes"].size());
  for (size_t i = 0; i < state["nodes"].size(); ++i) {
    int id = state["nodes"][i]["id"].get<int>();
    if (fs::exists(NodeDir(dir, id) + "/data/meta.properties")) continue;
    threads.emplace_back([&, i, id] {
      std::vector<std::string> argv = java;
      for (std::string a :
           {"kafka.tools.StorageTool", "format", "--ignore-formatted", "--cluster-id"}) {
        argv.push_back(a);
      }
      argv.push_back(state["cluster_id"].get<std::string>());
      argv.push_back("-c");
      argv.push_back(NodeConfig(dir, id));
      ProcessResult r = RunProcess(argv);
      if (!r.ok()) failures[i] = fmt::format("node {}: {}{}", id, r.out, r.err);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& f : failures) {
    if (!f.empty()) throw Error(ErrorKind::kIo, "cannot format Kafka storage: " + f);
  }
}

}  // namespace

std::string DefaultKafkaLibs() {
  if (const char* libs = getenv("HGCLUSTER_KAFKA_LIBS"); libs && *libs) return libs;
  std::string cache;
  if (const char* xdg = getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    cache = xdg;
  } else {
    const char* home = getenv("HOME");
    cache = std::string(home ? home : "/tmp") + "/.cache";
  }
  return cache + "/hgcluster/kafka-4.1.1/libs";
}

std::vector<int> KafkaLocalNodes(const std::string& dir) {
  std::vector<int> ids;
  nlohmann::json state = LoadState(dir);
  if (state.is_null()) return ids;
  for (const auto& n : state["nodes"]) ids.push_back(n["id"].get<int>());
  return ids;
}

int KafkaLocalNodePid(const std::string& dir, int id) {
  int pid = std::atoi(ReadText(NodeDir(dir, id) + "/pid").c_str());
  if (pid <= 0) return 0;
  // The pid file may outlive the node and its pid be reused: the process
  // must still be this node's JVM (a zombie has an empty command line).
  std::string cmdline = ReadText(fmt::format("/proc/{}/cmdline", pid));
  return cmdline.find(NodeConfig(dir, id)) != std::string::npos ? pid : 0;
}

namespace {

std::string NormalDir(const std::string& dir) {
  std::string out = fs::absolute(dir).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

nlohmann::json RequireState(const std::string& dir) {
  nlohmann::json state = LoadState(dir);
  if (state.is_null()) {
    throw Error(ErrorKind::kNotFound,
                fmt::format("no Kafka cluster at {}: start one with `hgcluster kafka-local "
                            "--dir {}`",
                            dir, dir));
  }
  return state;
}

}  // namespace

std::string KafkaLocalBootstrap(const std::string& dir) { return Bootstrap(RequireState(dir)); }

std::string StartKafkaLocal(const KafkaLocalOptions& options) {
  if (options.dir.empty()) throw Error(ErrorKind::kUsage, "kafka-local needs --dir DIR");
  std::string dir = NormalDir(options.dir);
  std::string libs = options.libs.empty() ? DefaultKafkaLibs() : options.libs;
  CheckLibs(libs);
  std::string java = FindJava();
  fs::create_directories(dir);

  nlohmann::json state = LoadState(dir);
  if (state.is_null()) {
    if (options.brokers < 1) throw Error(ErrorKind::kUsage, "--brokers must be at least 1");
    state = CreateState(dir, options.brokers, options.hosts, options.launch);
  } else if (options.hosts.empty() && Controllers(state) != options.brokers) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{} holds a Kafka cluster of {} broker(s), not {}: use --brokers {} "
                            "or another --dir",
                            dir, Controllers(state), options.brokers, Controllers(state)));
  }
  WriteText(dir + "/log4j2.properties", kLog4j);
  for (const auto& n : state["nodes"]) {
    int id = n["id"].get<int>();
    fs::create_directories(NodeDir(dir, id));
    WriteText(NodeConfig(dir, id), NodeProperties(dir, state, n));
  }
  if (options.class_archive) EnsureKafkaClassArchive(java, libs);
  std::vector<std::string> jvm = JavaArgv(java, dir, libs, options.class_archive);
  FormatStorage(dir, state, jvm);
  jvm.insert(jvm.begin() + 1, options.jvm_options.begin(), options.jvm_options.end());

  std::vector<int> ids = KafkaLocalNodes(dir);
  ProcessOptions spawn;
  spawn.die_with_parent = options.die_with_parent;
  // Nodes we start are our children until we exit: they are alive until
  // waitpid says otherwise (right after fork, /proc still shows hgcluster).
  std::map<int, int> children;
  auto alive = [&](int id) {
    auto it = children.find(id);
    if (it == children.end()) return KafkaLocalNodePid(dir, id) > 0;
    return waitpid(it->second, nullptr, WNOHANG) == 0;
  };
  for (int id : ids) {
    if (KafkaLocalNodePid(dir, id) > 0) continue;
    std::vector<std::string> argv = LaunchPrefix(state, id);
    argv.insert(argv.end(), jvm.begin(), jvm.end());
    argv.push_back("kafka.Kafka");
    argv.push_back(NodeConfig(dir, id));
    // The log keeps earlier runs: a restart's cause stays readable.
    int pid = SpawnDaemon(argv, NodeLog(dir, id), spawn);
    children[id] = pid;
    WriteText(NodeDir(dir, id) + "/pid", std::to_string(pid) + "\n");
  }

  std::string bootstrap = Bootstrap(state);
  auto deadline = SteadyClock::now() + options.ready_timeout;
  int seen = 0;
  while (true) {
    for (int id : ids) {
      if (!alive(id)) {
        throw Error(ErrorKind::kLogUnavailable,
                    fmt::format("Kafka node {} exited while starting; its log {} ends with:\n{}",
                                id, NodeLog(dir, id), Tail(ReadText(NodeLog(dir, id)), 15)));
      }
    }
    try {
      seen = KafkaBrokerCount(bootstrap, std::chrono::seconds(2));
      if (seen == static_cast<int>(ids.size())) break;
    } catch (const Error&) {
      // Not answering yet.
    }
    if (SteadyClock::now() >= deadline) {
      throw Error(ErrorKind::kLogUnavailable,
                  fmt::format("the Kafka cluster at {} did not serve all {} brokers within {} s "
                              "({} registered); see the logs {}/node*/kafka.log",
                              bootstrap, ids.size(), options.ready_timeout.count(), seen, dir));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  WriteText(dir + "/bootstrap", bootstrap + "\n");
  return bootstrap;
}

std::vector<std::string> KafkaJavaCommand(const std::string& libs, const std::string& main_class) {
  CheckLibs(libs);
  std::string java = FindJava();
  std::vector<std::string> argv{java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                                "-Djava.awt.headless=true"};
  for (std::string& o : KafkaClassArchiveOptions(java, libs)) argv.push_back(std::move(o));
  argv.push_back("-cp");
  argv.push_back(libs + "/*");
  argv.push_back(main_class);
  return argv;
}

int AddKafkaLocalBroker(const KafkaLocalOptions& options) {
  std::string dir = NormalDir(options.dir);
  nlohmann::json state = RequireState(dir);
  int id = 0;
  std::vector<int> used;
  for (const auto& n : state["nodes"]) {
    id = std::max(id, n["id"].get<int>());
    used.push_back(n["port"].get<int>());
    if (IsController(n)) used.push_back(n["controller_port"].get<int>());
  }
  ++id;
  int port = 0;
  for (int candidate : PickLoopbackPorts(static_cast<int>(used.size()) + 1)) {
    if (std::find(used.begin(), used.end(), candidate) == used.end()) {
      port = candidate;
      break;
    }
  }
  state["nodes"].push_back({{"id", id}, {"port", port}});
  WriteText(StatePath(dir), state.dump(2) + "\n");
  KafkaLocalOptions start = options;
  start.dir = dir;
  start.brokers = Controllers(state);
  StartKafkaLocal(start);  // formats the new node's storage, starts it, waits for it
  return id;
}

void RemoveKafkaLocalBroker(const KafkaLocalOptions& options, int id) {
  std::string dir = NormalDir(options.dir);
  nlohmann::json state = RequireState(dir);
  auto& nodes = state["nodes"];
  auto it = std::find_if(nodes.begin(), nodes.end(),
                         [&](const nlohmann::json& n) { return n["id"].get<int>() == id; });
  if (it == nodes.end()) {
    throw Error(ErrorKind::kUsage, fmt::format("the Kafka cluster at {} has no node {}", dir, id));
  }
  if (IsController(*it)) {
    throw Error(ErrorKind::kUsage,
                fmt::format("node {} is a controller of the KRaft quorum (one of the cluster's "
                            "first nodes); kafka-local removes only brokers added with "
                            "--add-broker",
                            id));
  }
  std::string libs = options.libs.empty() ? DefaultKafkaLibs() : options.libs;
  // Before anything is stopped: the jars and java are there.
  std::vector<std::string> unregister =
      KafkaJavaCommand(libs, "org.apache.kafka.tools.ClusterTool");
  nlohmann::json rest = state;
  rest["nodes"] = nlohmann::json::array();
  for (const auto& n : nodes) {
    if (n["id"].get<int>() != id) rest["nodes"].push_back(n);
  }
  std::string bootstrap = Bootstrap(rest);
  if (KafkaLocalNodePid(dir, id) > 0) {
    auto held = KafkaReplicasOn(Bootstrap(state), id, std::chrono::seconds(10));
    if (!held.empty()) {
      std::string list;
      for (size_t i = 0; i < held.size() && i < 8; ++i) list += (i ? ", " : "") + held[i];
      if (held.size() > 8) list += ", ...";
      throw Error(ErrorKind::kUsage,
                  fmt::format("broker {} still holds replicas of {} partition(s) ({}): move them "
                              "off first with kafka-reassign-partitions (docs/operations.md, "
                              "\"Removing a Kafka broker\"), then remove it",
                              id, held.size(), list));
    }
  }
  StopKafkaLocal(dir, id);
  for (std::string a : {"unregister", "--bootstrap-server"}) unregister.push_back(a);
  unregister.push_back(bootstrap);
  unregister.push_back("--id");
  unregister.push_back(std::to_string(id));
  ProcessResult r = RunProcess(unregister);
  if (!r.ok()) {
    throw Error(ErrorKind::kLogUnavailable,
                fmt::format("broker {} is stopped but could not be unregistered from the cluster "
                            "at {}: {}{}",
                            id, bootstrap, r.out, r.err));
  }
  std::error_code ec;
  fs::remove_all(NodeDir(dir, id) + ".removed", ec);  // an earlier removal's
  fs::rename(NodeDir(dir, id), NodeDir(dir, id) + ".removed", ec);
  WriteText(StatePath(dir), rest.dump(2) + "\n");
  WriteText(dir + "/bootstrap", bootstrap + "\n");
}

int StopKafkaLocal(const std::string& dir, int id, std::chrono::seconds grace) {
  std::vector<int> pids;
  for (int n : KafkaLocalNodes(dir)) {
    if (id != 0 && n != id) continue;
    if (int pid = KafkaLocalNodePid(dir, n); pid > 0) {
      kill(pid, SIGTERM);
      pids.push_back(n);
    }
  }
  auto deadline = SteadyClock::now() + grace;
  for (int n : pids) {
    while (int pid = KafkaLocalNodePid(dir, n)) {
      if (SteadyClock::now() >= deadline) {
        kill(pid, SIGKILL);
        while (KafkaLocalNodePid(dir, n))
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return static_cast<int>(pids.size());
}

}  // namespace hgc
