#include "master/zk_election.h"

#include <zookeeper/zookeeper.h>

#include <cstring>

#include "common/clock.h"
#include "master/master_state.h"

namespace hgc {
namespace {

void Watcher(zhandle_t*, int type, int state, const char* path, void* context) {
  static_cast<ZkElection*>(context)->OnEvent(type, state, path);
}

// Creates each missing ancestor of `path` as a persistent node.
void CreateParents(zhandle_t* zh, const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string parent = path.substr(0, slash);
    zoo_create(zh, parent.c_str(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
  }
}

}  // namespace

ZkElection::ZkElection(ZkElectionOptions options) : options_(std::move(options)) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR); });
}

ZkElection::~ZkElection() { Resign(); }

void ZkElection::OnEvent(int type, int state, const char*) {
  std::lock_guard lock(mu_);
  if (type == ZOO_SESSION_EVENT) {
    session_state_ = state;
    if (state == ZOO_EXPIRED_SESSION_STATE) expired_ = true;
  }
  events_ = true;
  cv_.notify_all();
}

bool ZkElection::WaitForEvent(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  bool got = cv_.wait_for(lock, timeout, [this] { return events_; });
  events_ = false;
  return got;
}

void ZkElection::Connect() {
  if (zh_) zookeeper_close(zh_);
  {
    std::lock_guard lock(mu_);
    expired_ = false;
  }
  zh_ = zookeeper_init(options_.connect.c_str(), Watcher, options_.session_timeout_ms, nullptr,
                       this, 0);
}

void ZkElection::Resign() {
  if (zh_) zookeeper_close(zh_);
  zh_ = nullptr;
  view_ = View{};
}

int ZkElection::negotiated_timeout_ms() const {
  return zh_ ? zoo_recv_timeout(zh_) : options_.session_timeout_ms;
}

ZkElection::View ZkElection::Step() {
  bool expired;
  {
    std::lock_guard lock(mu_);
    expired = expired_;
  }
  if (!zh_ || expired) Connect();
  if (!zh_ || zoo_state(zh_) != ZOO_CONNECTED_STATE) {
    view_.connected = false;
    view_.held = false;
    view_.lease_until = 0;
    return view_;
  }
  view_.connected = true;
  double started = WallNow();
  const char* node = options_.znode.c_str();
  char buf[512];
  int len = sizeof buf;
  struct Stat st {};
  int rc = zoo_get(zh_, node, 1, buf, &len, &st);
  if (rc == ZNONODE && stale_self_) {
    stale_self_ = false;
    holdoff_until_ =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(negotiated_timeout_ms() / 2);
  }
  if (rc == ZNONODE && std::chrono::steady_clock::now() < holdoff_until_) {
    zoo_exists(zh_, node, 1, nullptr);  // wake us if someone else takes it
    view_.held = false;
    view_.holder.clear();
    view_.lease_until = 0;
    return view_;
  }
  if (rc == ZNONODE) {
    CreateParents(zh_, options_.znode);
    rc = zoo_create(zh_, node, options_.host.data(), static_cast<int>(options_.host.size()),
                    &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, nullptr, 0);
    len = sizeof buf;
    if (rc == ZOK || rc == ZNODEEXISTS) rc = zoo_get(zh_, node, 1, buf, &len, &st);
  }
  if (rc != ZOK) {
    // Connection loss or similar: not known to hold the role.
    view_.held = false;
    view_.lease_until = 0;
    return view_;
  }
  view_.holder.assign(buf, static_cast<size_t>(std::max(len, 0)));
  const clientid_t* me = zoo_client_id(zh_);
  view_.held = me && st.ephemeralOwner == me->client_id;
  if (!view_.held && view_.holder == options_.host) stale_self_ = true;
  view_.epoch = view_.held ? st.czxid : 0;
  view_.lease_until = view_.held ? started + negotiated_timeout_ms() * 2.0 / 3.0 / 1000.0 : 0;
  return view_;
}

}  // namespace hgc
