#include "bootstrap/bootstrap_cmd.h"

#include <iostream>

#include "bootstrap/cluster_reset.h"
#include "bootstrap/hgssh.h"
#include "bootstrap/hgweb.h"
#include "common/error.h"

namespace hgc {
namespace {

template <typename F>
int Guard(const char* command, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    std::cerr << "hgcluster bootstrap " << command << ": " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace

void RegisterBootstrapCommands(CLI::App& app) {
  auto* bootstrap = app.add_subcommand(
      "bootstrap", "bring up mirrors from the leader without replaying the log (spec §3.10)");
  bootstrap->require_subcommand(1);

  auto hgssh = std::make_shared<HgsshBootstrapOptions>();
  auto hg = std::make_shared<std::string>();
  auto* leader = bootstrap->add_subcommand(
      "hgssh",
      "leader: a bootstrap sync of every repository; prints the offsets document (alias: "
      "vcsreplicator-bootstrap-hgssh HGRC HG)");
  leader->add_option("hgrc", hgssh->leader_hgrc, "the leader's hgrc ([replicationproducer])")
      ->required();
  leader->add_option("hg", *hg, "the reference's hg path; accepted and not used");
  leader->add_option("--workers", hgssh->workers, "repositories synced at once (default: CPUs)");
  leader->add_option("--output", hgssh->output, "also write the document to FILE");
  leader->add_option("--repos", hgssh->repos_root,
                     "the leader's repositories (default: the [replicationpathrewrites] source)");
  leader->callback([hgssh, hg] {
    throw CLI::RuntimeError(Guard("hgssh", [&] {
      std::cout << ToText(BootstrapHgssh(*hgssh)) << std::endl;
      return 0;
    }));
  });

  auto hgweb = std::make_shared<HgwebBootstrapOptions>();
  auto* mirror = bootstrap->add_subcommand(
      "hgweb",
      "mirror: clone every repository of the hgssh document and apply the events of its ranges "
      "(alias: vcsreplicator-bootstrap-hgweb CONFIG HGSSH_JSON); stop the mirror's consumer "
      "first");
  mirror->add_option("config", hgweb->consumer_config, "the mirror's consumer ini")->required();
  mirror->add_option("hgssh_json", hgweb->hgssh_document, "document from `bootstrap hgssh`")
      ->required();
  mirror->add_option("--workers", hgweb->workers, "repositories cloned at once (default: CPUs)");
  mirror
      ->add_option("--timeout", hgweb->timeout_seconds,
                   "give up when a range cannot be read within SECONDS")
      ->capture_default_str();
  mirror->add_option("--audit-output", hgweb->audit_output,
                     "where problems are written (default: hgweb_bootstrap_out.json next to "
                     "CONFIG)");
  mirror->callback(
      [hgweb] { throw CLI::RuntimeError(Guard("hgweb", [&] { return BootstrapHgweb(*hgweb); })); });

  auto reset = std::make_shared<ClusterResetOptions>();
  auto* cluster = bootstrap->add_subcommand(
      "cluster",
      "the runbook's Kafka nuclear option on a local cluster: read-only, stop, wipe the log, "
      "re-bootstrap every mirror, restart, writable");
  cluster->add_option("--root", reset->root,
                      "cluster directory (default: $HGCLUSTER_ROOT, else cwd)");
  cluster->add_option("--workers", reset->workers, "repositories bootstrapped at once");
  cluster->add_flag("--log-already-wiped", reset->log_already_wiped,
                    "Kafka: the operator wiped the brokers and recreated the (empty) topics");
  cluster->add_option("--reason", reset->reason, "read-only reason shown to pushers meanwhile");
  cluster->callback([reset] { throw CLI::RuntimeError(ResetClusterLog(*reset)); });
}

}  // namespace hgc
