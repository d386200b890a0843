#include "master/master_state.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/error.h"
#include "hg/repo_state.h"
#include "master/epoch_counter.h"
#include "test_support.h"

namespace hgc {
namespace {

std::string Refusal(const MasterGate& gate) {
  try {
    gate.Check();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotMaster);
    return e.what();
  }
  return "";
}

TEST(MasterGate, RefusesWithoutTheRoleAndStampsWithIt) {
  test::ScratchDir dir;
  MasterGate gate(dir / "hgssh1.json");
  EXPECT_NE(Refusal(gate).find("no master monitor has run here"), std::string::npos);

  MasterState s;
  s.host = "hgssh1";
  s.method = "file";
  WriteMasterState(gate.path(), s);
  EXPECT_EQ(Refusal(gate), "this host (hgssh1) is not the master; writes go to the master host");

  s.master = true;
  s.epoch = 12;
  WriteMasterState(gate.path(), s);
  nlohmann::json m = {{"name", "heartbeat-1"}};
  gate.Stamp(m);
  EXPECT_EQ(m["_master_epoch"], 12);
  EXPECT_EQ(m["_master_host"], "hgssh1");

  // A ZooKeeper lease that was not renewed: refuse rather than risk it.
  s.lease_until = WallNow() - 1;
  WriteMasterState(gate.path(), s);
  EXPECT_NE(Refusal(gate).find("cannot confirm it is still the master"), std::string::npos);
  s.lease_until = WallNow() + 60;
  WriteMasterState(gate.path(), s);
  EXPECT_EQ(Refusal(gate), "");
}

TEST(MasterGate, EnvironmentNamesTheStateFileOfServices) {
  test::ScratchDir dir;
  EXPECT_FALSE(MasterGate::ForProcess("", "").has_value());
  auto by_dir = MasterGate::ForProcess(dir.path(), "hgssh2");
  ASSERT_TRUE(by_dir.has_value());
  if (getenv("HGCLUSTER_HOST") == nullptr) {
    EXPECT_EQ(by_dir->path(), dir / "hgssh2.json");
  }
  setenv("HGCLUSTER_MASTER_STATE", (dir / "x.json").c_str(), 1);
  auto by_env = MasterGate::ForProcess("", "");
  unsetenv("HGCLUSTER_MASTER_STATE");
  ASSERT_TRUE(by_env.has_value());
  EXPECT_EQ(by_env->path(), dir / "x.json");
}

TEST(MasterStateFile, BrokenFileIsAConfigErrorNamingIt) {
  test::ScratchDir dir;
  WriteFileAtomic(dir / "h.json", "{");
  try {
    ReadMasterState(dir / "h.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(e.what()).find(dir / "h.json"), std::string::npos);
  }
}

TEST(EpochCounter, EveryAcquisitionGetsAHigherEpoch) {
  test::ScratchDir dir;
  EXPECT_EQ(NextEpoch(dir / "master-epoch"), 1);
  EXPECT_EQ(NextEpoch(dir / "master-epoch"), 2);
  EXPECT_EQ(ReadFileOrEmpty(dir / "master-epoch"), "2\n");
}

}  // namespace
}  // namespace hgc
