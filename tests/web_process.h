// `hgcluster web` as a child process on a scratch repos directory, and raw
// loopback sockets for clients that misbehave: what the web front's
// end-to-end tests share.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <string>

#include "common/loopback_port.h"
#include "hg/repo_state.h"
#include "test_support.h"

namespace hgc::test {

// "Key: value" lines (Apache's server-status?auto) as a map.
std::map<std::string, std::string> AutoFields(const std::string& text);

// `hgcluster web` as a child process on a scratch repos directory.
class WebProcess {
 public:
  // `ca`: the front serves HTTPS with a certificate this CA signed.
  explicit WebProcess(const ScratchDir& dir, const std::string& extra = "",
                      const std::string& ca = "")
      : dir_(dir.path()), ca_(ca) {
    std::filesystem::create_directories(dir_ + "/repos");
    port_ = PickLoopbackPort();
    WriteFileAtomic(dir_ + "/hgweb.conf",
                    "[paths]\n/ = " + dir_ + "/repos/**\n[web]\nrefreshinterval = 0\n");
    WriteFileAtomic(dir_ + "/serve.rc",
                    fmt::format("[extensions]\nreplicatedserved = {}/hgext/replicatedserved.py\n"
                                "[web]\nview = replicatedserved\n"
                                "[server]\nview = replicatedserved\n"
                                "[experimental]\nhttppostargs = true\n",
                                HGCLUSTER_SOURCE_DIR));
    ini_ = dir_ + "/web.ini";
    WriteFileAtomic(ini_, fmt::format("[web]\nlisten = 127.0.0.1:{}\nrepos = {}/repos\n"
                                      "hgweb_conf = {}/hgweb.conf\nhgrcpath = {}/serve.rc\n"
                                      "workers = 2\nthreads = 16\npid_file = {}/web.pid\n"
                                      "worker_log = {}/workers.log\n{}",
                                      port_, dir_, dir_, dir_, dir_, dir_, extra));
    pid_ = SpawnDaemon({HgclusterBin(), "web", ini_}, dir_ + "/web.log");
    bool healthy = WaitFor([&] { return Status("/__health") == 200; }, std::chrono::seconds(60));
    EXPECT_TRUE(healthy) << ReadFileOrEmpty(dir_ + "/web.log")
                         << ReadFileOrEmpty(dir_ + "/workers.log");
  }
  ~WebProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  int pid() const { return pid_; }
  const std::string& ini() const { return ini_; }
  std::string url() const {
    return fmt::format("{}://127.0.0.1:{}/", ca_.empty() ? "http" : "https", port_);
  }
  std::string repos() const { return dir_ + "/repos"; }
  std::string Log() const { return ReadFileOrEmpty(dir_ + "/web.log"); }

  // HTTP status of a GET, 0 when the connection fails.
  int Status(const std::string& path, std::string* body = nullptr) const {
    httplib::Client c(url().substr(0, url().size() - 1));
    if (!ca_.empty()) {
      c.set_ca_cert_path(ca_.c_str());
      c.enable_server_certificate_verification(true);
    }
    c.set_connection_timeout(2);
    auto r = c.Get(path.c_str());
    if (!r) return 0;
    if (body) *body = r->body;
    return r->status;
  }
  std::map<std::string, std::string> ServerStatus() const {
    std::string body;
    Status("/server-status?auto", &body);
    return AutoFields(body);
  }
  bool Running() const { return waitpid(pid_, nullptr, WNOHANG) == 0; }
  // Waits for the process to exit; returns its exit code (-1 if signalled).
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  std::string dir_;
  std::string ca_;
  std::string ini_;
  int port_ = 0;
  int pid_ = 0;
};

// A TCP socket connected to 127.0.0.1:`port`, with `option` set to `value`
// before connecting (SO_RCVBUF must be, to take effect).
int ConnectLoopback(int port, int option, const void* value, socklen_t size);

}  // namespace hgc::test
