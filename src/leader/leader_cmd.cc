#include "leader/leader_cmd.h"

#include <unistd.h>

#include <cstring>
#include <iostream>

#include "leader/hooks.h"
#include "leader/producer_agent.h"
#include "leader/replicate.h"

namespace hgc {

void RegisterLeaderCommands(CLI::App& app) {
  auto hook_name = std::make_shared<std::string>();
  auto hook_config = std::make_shared<std::string>();
  auto* hook = app.add_subcommand("hook", "run a leader hg hook (called by hg, not by people)");
  hook->add_option("name", *hook_name,
                   "pretxnopen|pretxnclose|txnclose|txnabort|changegroup|precommit|pre-init|post-init|"
                   "readonly-changegroup|readonly-pushkey")
      ->required();
  hook->add_option("--config", *hook_config, "leader hgrc with [replicationproducer]")->required();
  hook->callback([=] { throw CLI::RuntimeError(RunLeaderHook(*hook_name, *hook_config)); });

  auto agent_config = std::make_shared<std::string>();
  auto agent_host = std::make_shared<std::string>();
  auto agent_socket = std::make_shared<std::string>();
  auto* agent = app.add_subcommand(
      "producer-agent",
      "the leader host's long-lived log producer: hooks append through its Unix socket");
  agent->add_option("--config", *agent_config, "leader hgrc with [replicationproducer]")
      ->required();
  agent->add_option("--host", *agent_host,
                    "leader host name for {host} in agentsocket (default: as the master role "
                    "names this host)");
  agent->add_option("--socket", *agent_socket, "socket path (default: agentsocket of the config)");
  agent->callback([=] {
    throw CLI::RuntimeError(RunProducerAgent(*agent_config, *agent_host, *agent_socket));
  });

  auto o = std::make_shared<ReplicateOptions>();
  auto* rep = app.add_subcommand(
      "replicate", "leader commands: sync, hgrc, delete, verify a repository, or send heartbeats");
  rep->add_option("--config", o->config_path, "leader hgrc with [replicationproducer]")->required();
  rep->add_option("--repo", o->repo, "repository root (default: the current directory)");
  rep->require_subcommand(1);
  auto* sync = rep->add_subcommand("sync", "hg replicatesync: ask mirrors to match this repo");
  sync->add_flag("-b,--bootstrap", o->bootstrap, "message only for the bootstrap procedure");
  auto no_heads = std::make_shared<bool>(false);
  sync->add_flag("--no-heads", *no_heads, "do not send the heads message");
  sync->callback([o, no_heads] {
    o->heads = !*no_heads;
    throw CLI::RuntimeError(ReplicateSync(*o));
  });
  auto attempts = std::make_shared<int>(3);
  auto* retry = rep->add_subcommand(
      "sync-retry", "try-replicatesync.service: replicatesync with retries, always exit 0");
  retry->add_option("--attempts", *attempts, "how many tries")->capture_default_str();
  retry->callback([o, attempts] { throw CLI::RuntimeError(ReplicateSyncRetry(*o, *attempts)); });
  rep->add_subcommand("hgrc", "hg replicatehgrc: send .hg/hgrc to mirrors")->callback([o] {
    throw CLI::RuntimeError(ReplicateHgrc(*o));
  });
  rep->add_subcommand("delete", "hg replicatedelete: delete the repo here and on mirrors")
      ->callback([o] { throw CLI::RuntimeError(ReplicateDelete(*o)); });
  auto* verify = rep->add_subcommand("verify",
                                     "hg replicateverify: mirrors compare their copy with this "
                                     "repo's digest and re-clone it when it differs");
  verify->add_flag("--all", o->all, "every repository under the leader's replicated roots");
  verify->add_option("--under", o->under,
                     "with --all: search this directory (repeatable; default: the "
                     "[replicationpathrewrites] prefixes)");
  verify->callback([o] { throw CLI::RuntimeError(ReplicateVerify(*o)); });
  rep->add_subcommand("heartbeat", "hg sendheartbeat: heartbeat every partition")->callback([o] {
    throw CLI::RuntimeError(SendHeartbeat(*o));
  });
}

}  // namespace hgc

namespace hgc {

int RunLocalSsh(int argc, char** argv) {
  // The last argument is the remote command hg wants to run on the leader.
  if (argc < 1) {
    std::cerr << "local-ssh: no remote command given" << std::endl;
    return 255;
  }
  std::string cmd = argv[argc - 1];
  if (cmd.find(" serve --stdio") == std::string::npos || cmd.rfind("hg ", 0) != 0) {
    std::cerr << "local-ssh: only `hg -R <repo> serve --stdio` is allowed (got: " << cmd << ")"
              << std::endl;
    return 1;
  }
  setenv("SSH_CONNECTION", "127.0.0.1 0 127.0.0.1 22", 1);
  // The ssh:// URL's host names the leader host the push lands on
  // (ssh://standby/... after a failover): the hooks write as that host.
  if (argc >= 2) {
    std::string host = argv[argc - 2];
    if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
    if (!host.empty() && host[0] != '-') setenv("HGCLUSTER_HOST", host.c_str(), 1);
  }
  execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
  std::cerr << "local-ssh: cannot run /bin/sh: " << strerror(errno) << std::endl;
  return 255;
}

}  // namespace hgc
