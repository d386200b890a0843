#include "master/master_config.h"

#include <fmt/format.h>

#include <filesystem>

#include "common/command_words.h"
#include "common/error.h"
#include "common/ini.h"
#include "common/subprocess.h"
#include "master/master_state.h"

namespace hgc {

std::string MasterConfig::state_path() const { return MasterStatePath(state_dir, host); }

MasterConfig MasterConfig::Load(const std::string& path) {
  IniFile ini = IniFile::Load(path);
  MasterConfig c;
  c.path = path;
  const std::string m = "master";
  // The file names the host (one monitor per host; a local cluster runs two
  // on one machine); $HGCLUSTER_HOST and the system name only fill in.
  c.host = ini.GetOr(m, "host", "");
  if (c.host.empty()) c.host = MasterHostName();
  c.method = ini.GetOr(m, "method", "file");
  c.state_dir = ini.Require(m, "statedir");
  c.stop_grace = static_cast<int>(ini.GetDouble(m, "stopgrace", 60));
  if (c.method == "file") {
    c.master_file = ini.Require(m, "masterfile");
    c.epoch_file =
        ini.GetOr(m, "epochfile",
                  (std::filesystem::path(c.master_file).parent_path() / "master-epoch").string());
    c.interval = ini.GetDouble(m, "interval", 15);
    c.start_delay = ini.GetDouble(m, "startdelay", 30);
  } else if (c.method == "zookeeper") {
    c.zookeeper = ini.Require(m, "zookeeper");
    c.znode = ini.GetOr(m, "znode", c.znode);
    if (c.znode.empty() || c.znode[0] != '/' || c.znode.back() == '/') {
      throw Error(ErrorKind::kConfig,
                  fmt::format("master.znode in {} must be an absolute ZooKeeper path like "
                              "/hgcluster/master (got {})",
                              path, c.znode));
    }
    c.session_timeout_ms = static_cast<int>(ini.GetDouble(m, "sessiontimeout", 4000));
  } else {
    throw Error(ErrorKind::kConfig,
                fmt::format("master.method in {} must be `file` or `zookeeper` (got `{}`)", path,
                            c.method));
  }
  for (const auto& section : ini.SectionNames()) {
    bool timer = section.rfind("timer ", 0) == 0;
    if (!timer && section.rfind("service ", 0) != 0) continue;
    DaemonSpec d;
    d.name = section;
    // Split as a shell would (quotes group), without a shell in between.
    auto argv = SplitCommandWords(ini.Require(section, "command"));
    if (!argv || argv->empty()) {
      throw Error(
          ErrorKind::kConfig,
          fmt::format("[{}] command in {} is empty or has an unterminated quote", section, path));
    }
    d.argv = *argv;
    d.log = ini.Require(section, "log");
    if (timer) {
      d.every = ini.GetDouble(section, "every", 0);
      if (d.every <= 0) {
        throw Error(ErrorKind::kConfig,
                    fmt::format("[{}] in {} needs `every = SECONDS` (> 0)", section, path));
      }
    }
    c.services.push_back(std::move(d));
  }
  return c;
}

std::string ToIni(const MasterConfig& c, const std::string& comment) {
  std::string out = fmt::format(
      "# {}\n"
      "[master]\n"
      "host = {}\n"
      "statedir = {}\n"
      "stopgrace = {}\n"
      "method = {}\n",
      comment, c.host, c.state_dir, c.stop_grace, c.method);
  if (c.method == "zookeeper") {
    out += fmt::format("zookeeper = {}\nznode = {}\nsessiontimeout = {}\n", c.zookeeper, c.znode,
                       c.session_timeout_ms);
  } else {
    out += fmt::format("masterfile = {}\nepochfile = {}\ninterval = {}\nstartdelay = {}\n",
                       c.master_file, c.epoch_file, c.interval, c.start_delay);
  }
  for (const auto& d : c.services) {
    std::string command;
    for (const auto& word : d.argv) command += (command.empty() ? "" : " ") + ShellQuote(word);
    out += fmt::format("\n[{}]\ncommand = {}\n", d.name, command);
    if (d.every > 0) out += fmt::format("every = {}\n", d.every);
    out += fmt::format("log = {}\n", d.log);
  }
  return out;
}

}  // namespace hgc
