// hgcluster: one binary, many subcommands. The reference's command names
// (vcsreplicator-consumer, vcsreplicator-print-offsets, ...) are aliases:
// invoked under such a name (a symlink) or given it as the first argument,
// the binary runs the matching subcommand with the remaining arguments.
#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "aggregator/aggregate_cmd.h"
#include "bootstrap/bootstrap_cmd.h"
#include "bundles/bundles_cmd.h"
#include "checks/checks_cmd.h"
#include "cluster/cluster_cmd.h"
#include "cluster/fncache.h"
#include "cluster/groups_cmd.h"
#include "cluster/try_heads.h"
#include "common/error.h"
#include "consumer/consume_cmd.h"
#include "frontdoor/frontdoor_cmd.h"
#include "leader/leader_cmd.h"
#include "leader/readonly.h"
#include "log/kafka_local.h"
#include "log/kafka_mock.h"
#include "log/kafka_tool_cmd.h"
#include "log/kafka_topics_cmd.h"
#include "master/master_cmd.h"
#include "notify/notify_cmd.h"
#include "pushlog/verify_pushlog.h"
#include "web/web_cmd.h"

namespace {

const std::map<std::string, std::vector<std::string>>& Aliases() {
  static const std::map<std::string, std::vector<std::string>> kAliases = {
      {"check_hg_bundle_generate_age", {"check-bundle-age"}},
      {"check_kafka_hg_heartbeat", {"check-heartbeat"}},
      {"check_try_heads", {"check_try_heads"}},
      {"generate-hg-s3-bundles", {"bundles", "generate"}},
      {"hg-master-start-stop", {"hg-master-start-stop"}},
      {"check_pulsenotifier_lag", {"check-pulsenotifier-lag"}},
      {"check_pushdataaggregator_lag", {"check-aggregator-lag"}},
      {"check_snsnotifier_lag", {"check-snsnotifier-lag"}},
      {"check_vcsreplicator_aggregator_lag", {"check-aggregator-lag"}},
      {"check_vcsreplicator_lag", {"check-lag"}},
      {"check_zookeeper", {"check-zookeeper"}},
      {"vcsreplicator-aggregator", {"aggregate"}},
      {"vcsreplicator-bootstrap-hgssh", {"bootstrap", "hgssh"}},
      {"vcsreplicator-bootstrap-hgweb", {"bootstrap", "hgweb"}},
      {"vcsreplicator-consumer", {"consume"}},
      {"vcsreplicator-headsconsumer", {"heads"}},
      {"vcsreplicator-print-offsets", {"print-offsets"}},
      {"vcsreplicator-pulse-notifier", {"notify-pulse"}},
      {"vcsreplicator-sns-notifier", {"notify-sns"}},
  };
  return kAliases;
}

std::string Basename(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;
  args.push_back("hgcluster");
  int first = 1;
  auto alias = Aliases().find(Basename(argv[0]));
  if (alias == Aliases().end() && argc > 1) {
    alias = Aliases().find(argv[1]);
    first = 2;
  }
  if (alias != Aliases().end()) {
    args.insert(args.end(), alias->second.begin(), alias->second.end());
  } else {
    first = 1;
  }
  if (argc > first && std::strcmp(argv[first], "local-ssh") == 0 && alias == Aliases().end()) {
    return hgc::RunLocalSsh(argc - first - 1, argv + first + 1);
  }
  for (int i = first; i < argc; ++i) args.push_back(argv[i]);

  CLI::App app{"hgcluster: a replicated Mercurial hosting cluster", "hgcluster"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hgcluster 0.1");
  hgc::RegisterClusterCommands(app);
  hgc::RegisterLeaderCommands(app);
  hgc::RegisterConsumeCommands(app);
  hgc::RegisterAggregateCommand(app);
  hgc::RegisterCheckCommands(app);
  hgc::RegisterKafkaMockCommand(app);
  hgc::RegisterKafkaLocalCommand(app);
  hgc::RegisterKafkaTopicsCommand(app);
  hgc::RegisterKafkaToolCommand(app);
  hgc::RegisterNotifyCommands(app);
  hgc::RegisterWebCommand(app);
  hgc::RegisterVerifyPushlogCommand(app);
  hgc::RegisterReadonlyCommand(app);
  hgc::RegisterFncacheCommand(app);
  hgc::RegisterGroupsCommand(app);
  hgc::RegisterTryHeadsCommands(app);
  hgc::RegisterBundlesCommands(app);
  hgc::RegisterFrontdoorCommands(app);
  hgc::RegisterMasterCommands(app);
  hgc::RegisterBootstrapCommands(app);

  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const hgc::Error& e) {
    std::cerr << "hgcluster: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "hgcluster: unexpected error: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
