// hgcluster: one binary, many subcommands. The reference's command names
// (vcsreplicator-consumer, vcsreplicator-print-offsets, ...) are aliases:
// invoked under such a name (a symlink) or given it as the first argument,
// the binary runs the matching subcommand with the remaining arguments.
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cluster/cluster_cmd.h"
#include "consumer/consume_cmd.h"
#include "leader/leader_cmd.h"
#include "log/kafka_mock.h"

namespace {

const std::map<std::string, std::vector<std::string>>& Aliases() {
  static const std::map<std::string, std::vector<std::string>> kAliases = {
      {"vcsreplicator-consumer", {"consume"}},
      {"vcsreplicator-print-offsets", {"print-offsets"}},
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
  hgc::RegisterKafkaMockCommand(app);

  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
