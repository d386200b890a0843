// One AMQP 0-9-1 connection (rabbitmq-c) used to publish confirmed messages
// to topic exchanges: TCP or TLS, bounded connect/login/confirm timeouts,
// channel 1 in publisher-confirm mode. A publish returns only once the
// broker acknowledged it (basic.ack), so "returned" means "the broker has
// it" (persisted, for durable queues).
// Thread-safety: one AmqpPublisher per thread.
#pragma once

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace hgc {

struct AmqpEndpoint {
  std::string host;
  int port = 5672;
  std::string user;
  std::string password;
  std::string vhost = "/";
  bool ssl = false;
  std::string ca_cert;  // PEM bundle for ssl; empty = no peer verification
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds confirm_timeout{30000};
};

class AmqpPublisher {
 public:
  // Connects, logs in, opens channel 1 and selects confirms. Throws
  // Error(kIo) on any failure.
  explicit AmqpPublisher(const AmqpEndpoint& endpoint);
  ~AmqpPublisher();
  AmqpPublisher(const AmqpPublisher&) = delete;
  AmqpPublisher& operator=(const AmqpPublisher&) = delete;

  // exchange.declare type=topic durable (not passive): creates it or checks
  // an existing one has the same kind.
  void DeclareTopicExchange(const std::string& exchange);

  // basic.publish of a persistent application/json message, then waits
  // for its basic.ack. Throws Error(kIo) on nack, timeout or channel error.
  void PublishConfirmed(const std::string& exchange, const std::string& routing_key,
                        const std::string& body);

 private:
  void CheckReply(const std::string& what);
  [[noreturn]] void Fail(const std::string& what);

  AmqpEndpoint endpoint_;
  amqp_connection_state_t conn_ = nullptr;
  bool channel_open_ = false;
  uint64_t next_delivery_tag_ = 1;
};

}  // namespace hgc
