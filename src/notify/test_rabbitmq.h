// Test-only: a real RabbitMQ 3.10 server for the Pulse tests, started as a
// plain process (docs: /work/shared/infra.md §3) on free loopback ports in a
// scratch directory, with its own epmd that we start ourselves (so no
// `epmd -daemon` outlives the test), and a queue reader bound to exchanges.
// Header-only. Thread-safety: test code, one thread.
#pragma once

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/loopback_port.h"
#include "notify/amqp_publisher.h"
#include "notify/test_daemon_process.h"
#include "test_support.h"

namespace hgc::test {

inline int FreeLoopbackPort() { return PickLoopbackPort(); }

inline bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

class RabbitMqServer {
 public:
  // Ports are picked free and then handed to epmd and beam, so another
  // process (a parallel test's outbound connection) can take one in between:
  // a boot that fails is retried on fresh ports.
  RabbitMqServer() {
    std::string why;
    for (int attempt = 1; attempt <= 3; ++attempt) {
      if (Start(attempt, why)) return;
      Stop();
    }
    throw std::runtime_error("RabbitMQ did not start in 3 attempts: " + why);
  }

  ~RabbitMqServer() { Stop(); }

  int port() const { return amqp_port_; }
  AmqpEndpoint Endpoint() const {
    AmqpEndpoint e;
    e.host = "127.0.0.1";
    e.port = amqp_port_;
    e.user = "guest";
    e.password = "guest";
    e.connect_timeout = std::chrono::seconds(5);
    e.confirm_timeout = std::chrono::seconds(10);
    return e;
  }

 private:
  bool Start(int attempt, std::string& why) {
    amqp_port_ = FreeLoopbackPort();
    const std::string rmq = dir_.path() + "/attempt" + std::to_string(attempt);
    int dist_port = FreeLoopbackPort();
    int epmd_port = FreeLoopbackPort();
    std::filesystem::create_directories(rmq + "/home");
    std::filesystem::create_directories(rmq + "/mnesia");
    std::filesystem::create_directories(rmq + "/log");
    std::ofstream(rmq + "/rabbitmq.conf")
        << "listeners.tcp.default = 127.0.0.1:" << amqp_port_
        << "\nloopback_users.guest = true\nlog.console = true\nlog.console.level = warning\n";
    std::ofstream(rmq + "/enabled_plugins") << "[].\n";
    std::ofstream(rmq + "/rabbitmq-env.conf") << "";
    std::map<std::string, std::string> env = {
        {"HOME", rmq + "/home"},
        {"RABBITMQ_NODENAME", "hgctest" + std::to_string(amqp_port_) + "@localhost"},
        {"RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"},
        {"RABBITMQ_NODE_PORT", std::to_string(amqp_port_)},
        {"RABBITMQ_DIST_PORT", std::to_string(dist_port)},
        {"ERL_EPMD_ADDRESS", "127.0.0.1"},
        {"ERL_EPMD_PORT", std::to_string(epmd_port)},
        {"RABBITMQ_MNESIA_BASE", rmq + "/mnesia"},
        {"RABBITMQ_LOG_BASE", rmq + "/log"},
        {"RABBITMQ_LOGS", "-"},
        {"RABBITMQ_PID_FILE", rmq + "/rabbit.pid"},
        {"RABBITMQ_CONFIG_FILE", rmq + "/rabbitmq.conf"},
        {"RABBITMQ_ENABLED_PLUGINS_FILE", rmq + "/enabled_plugins"},
        {"RABBITMQ_CONF_ENV_FILE", rmq + "/rabbitmq-env.conf"},
        // Our epmd is already up; erl must not start a daemonised one.
        {"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
         "-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false"},
    };
    epmd_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"/usr/bin/epmd", "-port", std::to_string(epmd_port), "-address",
                                 "127.0.0.1"},
        rmq + "/epmd.log", env);
    if (!WaitFor(
            [&] { return CanConnect(epmd_port) || epmd_->Wait(std::chrono::milliseconds(0)) >= 0; },
            std::chrono::seconds(10)) ||
        !CanConnect(epmd_port)) {
      why = "epmd did not start: " + epmd_->Output();
      return false;
    }
    server_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"/usr/lib/rabbitmq/bin/rabbitmq-server"}, rmq + "/server.out",
        env);
    // Up = a guest login succeeds (the port opens before the broker is
    // fully booted). Down for good = the server exited (BOOT FAILED).
    bool up = false;
    WaitFor(
        [&] {
          if (server_->Wait(std::chrono::milliseconds(0)) >= 0) return true;
          if (!CanConnect(amqp_port_)) return false;
          try {
            AmqpPublisher probe(Endpoint());
            up = true;
          } catch (const std::exception&) {
          }
          return up;
        },
        std::chrono::seconds(90));
    if (!up) why = "RabbitMQ did not start: " + server_->Output();
    return up;
  }

  void Stop() {
    // The whole process group (the start script and beam), then our epmd.
    if (server_ && server_->Wait(std::chrono::milliseconds(0)) < 0) {
      server_->SignalGroup(SIGTERM);
      if (server_->Wait(std::chrono::seconds(20)) < 0) server_->SignalGroup(SIGKILL);
      server_->Wait(std::chrono::seconds(10));
    }
    server_.reset();
    if (epmd_) {
      epmd_->Signal(SIGTERM);
      epmd_->Wait(std::chrono::seconds(10));
      epmd_.reset();
    }
  }

  ScratchDir dir_;
  int amqp_port_ = 0;
  std::unique_ptr<DaemonProcess> epmd_;
  std::unique_ptr<DaemonProcess> server_;
};

struct AmqpDelivery {
  std::string exchange;
  std::string routing_key;
  std::string body;
  std::string content_type;
  int delivery_mode = 0;
};

// An exclusive server-named queue; Bind() routes an exchange's messages to it.
class QueueReader {
 public:
  explicit QueueReader(int port) {
    conn_ = amqp_new_connection();
    amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
    timeval tv{5, 0};
    if (amqp_socket_open_noblock(socket, "127.0.0.1", port, &tv) != AMQP_STATUS_OK) {
      throw std::runtime_error("queue reader cannot connect");
    }
    Check(amqp_login(conn_, "/", 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN, "guest",
                     "guest"),
          "login");
    amqp_channel_open(conn_, 1);
    Check(amqp_get_rpc_reply(conn_), "channel.open");
    auto* q = amqp_queue_declare(conn_, 1, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
    Check(amqp_get_rpc_reply(conn_), "queue.declare");
    queue_ = std::string(static_cast<char*>(q->queue.bytes), q->queue.len);
    amqp_basic_consume(conn_, 1, amqp_cstring_bytes(queue_.c_str()), amqp_empty_bytes, 0, 1, 0,
                       amqp_empty_table);
    Check(amqp_get_rpc_reply(conn_), "basic.consume");
  }
  ~QueueReader() {
    amqp_channel_close(conn_, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn_);
  }

  void DeclareExchange(const std::string& name, const char* type) {
    amqp_exchange_declare(conn_, 1, amqp_cstring_bytes(name.c_str()), amqp_cstring_bytes(type), 0,
                          1, 0, 0, amqp_empty_table);
    Check(amqp_get_rpc_reply(conn_), "exchange.declare " + name);
  }
  void DeleteExchange(const std::string& name) {
    amqp_exchange_delete(conn_, 1, amqp_cstring_bytes(name.c_str()), 0);
    Check(amqp_get_rpc_reply(conn_), "exchange.delete " + name);
  }
  void Bind(const std::string& exchange, const std::string& pattern = "#") {
    amqp_queue_bind(conn_, 1, amqp_cstring_bytes(queue_.c_str()),
                    amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(pattern.c_str()),
                    amqp_empty_table);
    Check(amqp_get_rpc_reply(conn_), "queue.bind " + exchange);
  }

  std::optional<AmqpDelivery> Next(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    amqp_maybe_release_buffers(conn_);
    amqp_envelope_t envelope;
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    amqp_rpc_reply_t r = amqp_consume_message(conn_, &envelope, &tv, 0);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) return std::nullopt;
    AmqpDelivery d;
    auto str = [](amqp_bytes_t b) { return std::string(static_cast<char*>(b.bytes), b.len); };
    d.exchange = str(envelope.exchange);
    d.routing_key = str(envelope.routing_key);
    d.body = str(envelope.message.body);
    if (envelope.message.properties._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) {
      d.content_type = str(envelope.message.properties.content_type);
    }
    if (envelope.message.properties._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) {
      d.delivery_mode = envelope.message.properties.delivery_mode;
    }
    amqp_destroy_envelope(&envelope);
    return d;
  }

 private:
  void Check(const amqp_rpc_reply_t& r, const std::string& what) {
    if (r.reply_type != AMQP_RESPONSE_NORMAL) throw std::runtime_error("AMQP " + what + " failed");
  }
  amqp_connection_state_t conn_;
  std::string queue_;
};

}  // namespace hgc::test
