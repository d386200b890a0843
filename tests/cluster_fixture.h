// A real local cluster for end-to-end tests: `hgcluster up --detach` in a
// scratch directory (embedded log, or a real 3-broker Kafka cluster started by
// `hgcluster kafka-local`, see kafka_cluster.h), real hg clients pushing through
// `hgcluster local-ssh`, and helpers to wait until mirrors match the leader.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kafka_cluster.h"
#include "test_support.h"

namespace hgc::test {

struct ClusterOptions {
  int mirrors = 2;
  bool kafka = false;  // a real Kafka cluster instead of the embedded log
  // Its size: 3 where brokers fail or move; 1 where only hgcluster's side of
  // Kafka is the point (each broker is a JVM start: seconds of CPU).
  int kafka_brokers = 3;
  std::map<std::string, std::string> env;  // for the daemons
  int workers = 4;
  std::vector<std::string> up_args;  // extra `hgcluster up` arguments
  std::string root;                  // cluster directory (default: a scratch dir)
};

class Cluster {
 public:
  explicit Cluster(ClusterOptions options = {});
  ~Cluster();

  const std::string& root() const { return root_; }
  nlohmann::json Status();
  std::string LeaderRepo(const std::string& name) const;
  std::string MirrorRepo(int mirror, const std::string& name) const;  // mirror: 1-based
  std::string PushUrl(const std::string& name) const;
  std::string SshCommand() const;
  std::string MirrorLog(int mirror) const;
  KafkaCluster* kafka() { return kafka_.get(); }

  // `hgcluster repo create`; fails the test on error.
  void CreateRepo(const std::string& name);
  // hg as a client: no leader config, a fixed user.
  ProcessResult Hg(const std::string& args);
  // Pushes `client` to the leader repo `name`; returns hg's result.
  ProcessResult Push(const std::string& client, const std::string& name,
                     const std::string& extra = "");
  // Pushes through leader host `host` (ssh://HOST/...): "leader" or "standby".
  ProcessResult PushVia(const std::string& host, const std::string& client,
                        const std::string& name, const std::string& extra = "",
                        const std::map<std::string, std::string>& env = {});
  // Waits until every mirror's copy of `name` has the leader's heads,
  // bookmarks and phases.
  bool WaitConverged(const std::string& name,
                     std::chrono::milliseconds timeout = std::chrono::seconds(120));
  std::string Explain(const std::string& name);

 private:
  ScratchDir dir_;
  std::string root_;
  ClusterOptions options_;
  std::unique_ptr<KafkaCluster> kafka_;  // destroyed before dir_, after `down`
};

}  // namespace hgc::test
