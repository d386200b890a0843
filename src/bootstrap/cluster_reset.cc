#include "bootstrap/cluster_reset.h"

#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <iostream>

#include "bootstrap/hgssh.h"
#include "bootstrap/hgweb.h"
#include "cluster/cluster_cmd.h"
#include "common/error.h"
#include "common/subprocess.h"
#include "common/utc_stamp.h"
#include "hg/repo_state.h"
#include "layout/cluster_layout.h"
#include "log/log.h"
#include "master/act_as_master.h"
#include "master/master_state.h"

namespace hgc {
namespace {

namespace fs = std::filesystem;

constexpr int kSteps = 8;

void Step(int n, const std::string& what) {
  std::cout << fmt::format("hgcluster bootstrap cluster: [{}/{}] {}", n, kSteps, what) << std::endl;
}

void Note(const std::string& what) {
  std::cout << "hgcluster bootstrap cluster:   " << what << std::endl;
}

const std::vector<std::pair<std::string, int>> Topics(int partitions) {
  return {{"pushdata", partitions}, {"replicatedpushdatapending", 1}, {"replicatedpushdata", 1}};
}

std::string KafkaInstructions(const ClusterLayout& l) {
  return fmt::format(
      "the log is Kafka, which hgcluster cannot wipe. Do the runbook's steps, then run this "
      "again with --log-already-wiped:\n"
      "  hgcluster readonly --root {0} --all --reason 'replication log reset'\n"
      "  hgcluster down --root {0}\n"
      "  on every broker: systemctl stop kafka zookeeper; rm -rf /var/lib/kafka /var/lib/zookeeper;"
      " restore zookeeper myid; start zookeeper, then kafka, one node at a time\n"
      "  create the topics: pushdata (as many partitions as before), replicatedpushdatapending "
      "and replicatedpushdata (1 partition each)\n"
      "  hgcluster bootstrap cluster --root {0} --log-already-wiped\n"
      "  hgcluster readonly --root {0} --all --off",
      l.root);
}

// A wiped log: every partition of every topic is empty.
void CheckEmpty(Log& log, int partitions) {
  for (const auto& [topic, count] : Topics(partitions)) {
    int n = log.PartitionCount(topic);
    for (int p = 0; p < n; ++p) {
      int64_t high = log.GetWatermarks(topic, p).high;
      if (high > 0) {
        throw Error(ErrorKind::kUsage,
                    fmt::format("--log-already-wiped, but partition {} of topic {} holds {} "
                                "records: wipe the log first",
                                p, topic, high));
      }
    }
  }
}

int Run(const ClusterResetOptions& o) {
  ClusterLayout layout = ClusterLayoutAsMaster(o.root);
  ClusterState state = layout.LoadState();
  std::string url = state.log.url;
  bool kafka = state.log.backend == "kafka";
  int partitions = state.log.partitions;
  if (kafka && !o.log_already_wiped) {
    std::cerr << "hgcluster bootstrap cluster: " << KafkaInstructions(layout) << std::endl;
    return 1;
  }
  if (kafka) {
    // Before touching anything: refuse a log that still has data.
    auto log = OpenLog(url, "hgcluster-bootstrap");
    CheckEmpty(*log, partitions);
  }
  std::string stamp = UtcStamp();
  std::string work = layout.root + "/bootstrap/" + stamp;
  fs::create_directories(work);

  std::string reason_file = layout.leader_dir() + "/readonlyreason";
  bool was_readonly = fs::exists(reason_file);
  Step(1, "making every leader repository read-only");
  if (was_readonly) {
    Note("already read-only (" + reason_file + "); it stays so at the end");
  } else {
    WriteFileAtomic(reason_file, o.reason + "\n");
    Note("all repositories now read-only: " + o.reason);
  }

  // The leader writes the bootstrap syncs while its master monitor is
  // stopped: as the last master, with its epoch (src/master/).
  std::optional<MasterState> last_master;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(layout.master_state_dir(), ec)) {
    if (entry.path().extension() != ".json") continue;
    // The host holding the role, or — daemons already stopped, as the
    // runbook's Kafka steps have it, which releases the role — the last
    // one that held it: the highest epoch.
    auto st = ReadMasterState(entry.path().string());
    if (!st || (!st->master && st->epoch == 0)) continue;
    if (!last_master || (st->master && !last_master->master) ||
        (st->master == last_master->master && st->epoch > last_master->epoch)) {
      last_master = st;
    }
  }

  Step(2, "stopping the cluster's daemons");
  ProcessResult down = RunProcess({SelfExecutable(), "down", "--root", layout.root});
  std::cout << down.out << std::flush;
  if (!down.ok()) {
    throw Error(ErrorKind::kIo, "hgcluster down failed: " + down.err);
  }

  Step(3, "wiping the replication log");
  if (kafka) {
    Note("Kafka was wiped by the operator (--log-already-wiped); its topics are empty");
  } else {
    std::string db = url.rfind("sqlite://", 0) == 0 ? url.substr(9) : url;
    std::string kept = work + "/log";
    fs::create_directories(kept);
    for (const char* suffix : {"", "-wal", "-shm", "-notify"}) {
      std::string f = db + suffix;
      if (fs::exists(f)) fs::rename(f, kept + "/" + fs::path(f).filename().string());
    }
    Note("old log moved to " + kept);
  }

  Step(4, "recreating the topics");
  {
    auto log = OpenLog(url, "hgcluster-bootstrap");
    for (const auto& [topic, count] : Topics(partitions)) {
      log->EnsureTopic(topic, count);
      Note(fmt::format("{} ({} partitions)", topic, log->PartitionCount(topic)));
    }
  }

  Step(5, "moving each mirror's repositories aside");
  for (const auto& m : state.mirrors) {
    const std::string& name = m.name;
    std::string repos = layout.mirror_repos(name);
    std::string aside = work + "/mirrors/" + name + "-repos";
    fs::create_directories(fs::path(aside).parent_path());
    if (fs::exists(repos)) fs::rename(repos, aside);
    fs::create_directories(repos);
    // Parked repositories and their offsets name the old log.
    for (const auto& e : fs::directory_iterator(layout.mirror_dir(name))) {
      std::string f = e.path().filename().string();
      if ((f.rfind("consumer-", 0) == 0 || f.rfind("heads-", 0) == 0) &&
          e.path().extension() == ".json") {
        fs::remove(e.path());
      }
    }
    Note(fmt::format("{}: {} -> {}", name, repos, aside));
  }

  Step(6, "leader: a bootstrap sync of every repository (bootstrap hgssh)");
  HgsshBootstrapOptions hgssh;
  hgssh.leader_hgrc = layout.leader_hgrc();
  hgssh.repos_root = layout.leader_repos();
  hgssh.workers = o.workers;
  hgssh.output = work + "/hgssh.json";
  if (last_master) {
    MasterState as = *last_master;
    as.master = true;
    as.lease_until = 0;
    std::string path = work + "/master-state.json";
    WriteMasterState(path, as);
    setenv("HGCLUSTER_MASTER_STATE", path.c_str(), 1);
    Note(fmt::format("writing as {}, the last master (epoch {})", as.host, as.epoch));
  }
  // The daemons, the leader's producer agent included, are stopped: the
  // replicatesync processes write to the log themselves.
  setenv("HGCLUSTER_DIRECT_PRODUCER", "1", 1);
  HgsshDocument doc = BootstrapHgssh(hgssh);
  unsetenv("HGCLUSTER_DIRECT_PRODUCER");
  unsetenv("HGCLUSTER_MASTER_STATE");
  Note(fmt::format("{} repositories; document in {}", doc.repositories.size(), hgssh.output));

  Step(7, "mirrors: clone every repository from the leader (bootstrap hgweb)");
  for (const auto& m : state.mirrors) {
    const std::string& name = m.name;
    HgwebBootstrapOptions hgweb;
    hgweb.consumer_config = layout.mirror_config(name);
    hgweb.hgssh_document = hgssh.output;
    hgweb.workers = o.workers;
    hgweb.audit_output = work + "/hgweb-" + name + ".json";
    if (BootstrapHgweb(hgweb) != 0) {
      std::cerr << fmt::format(
                       "hgcluster bootstrap cluster: mirror {} could not be bootstrapped (see {} "
                       "and the lines above). The leader stays read-only and the daemons stopped. "
                       "Fix the cause, then:\n"
                       "  hgcluster bootstrap hgweb {} {}\n"
                       "  (and the same for each later mirror), then\n"
                       "  hgcluster up --root {} --detach [your usual options]\n"
                       "  hgcluster readonly --root {} --all --off",
                       name, hgweb.audit_output, hgweb.consumer_config, hgssh.output, layout.root,
                       layout.root)
                << std::endl;
      return 1;
    }
    Note(name + ": bootstrapped");
  }

  Step(8, "restarting the daemons");
  if (StartSupervisor(layout) != 0) return 1;
  if (!was_readonly) {
    fs::remove(reason_file);
    Note("all repositories writable again");
  }
  std::cout << fmt::format(
                   "hgcluster bootstrap cluster: done; the old log and mirror repositories are "
                   "in {} (remove it once satisfied)",
                   work)
            << std::endl;
  return 0;
}

}  // namespace

int ResetClusterLog(const ClusterResetOptions& o) {
  try {
    return Run(o);
  } catch (const Error& e) {
    std::cerr << "hgcluster bootstrap cluster: " << e.what()
              << "\n(the leader stays read-only until `hgcluster readonly --all --off`; daemons "
                 "that were stopped stay stopped)"
              << std::endl;
    return 1;
  }
}

}  // namespace hgc
