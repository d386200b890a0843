// rabbitmq-c publisher with confirms. Thread-safety: see amqp_publisher.h.
#include "notify/amqp_publisher.h"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <fmt/format.h>
#include <sys/time.h>

#include "common/error.h"

namespace hgc {
namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string FromBytes(amqp_bytes_t b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}

std::string DescribeReply(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "missing RPC reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(reply.reply.decoded);
        return fmt::format("connection closed by the broker: {} {}", m->reply_code,
                           FromBytes(m->reply_text));
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
        return fmt::format("channel closed by the broker: {} {}", m->reply_code,
                           FromBytes(m->reply_text));
      }
      return fmt::format("broker error, method 0x{:08x}", reply.reply.id);
  }
  return "unknown reply";
}

}  // namespace

AmqpPublisher::AmqpPublisher(const AmqpEndpoint& endpoint) : endpoint_(endpoint) {
  conn_ = amqp_new_connection();
  if (conn_ == nullptr) throw Error(ErrorKind::kIo, "cannot allocate an AMQP connection");
  amqp_socket_t* socket = nullptr;
  if (endpoint_.ssl) {
    socket = amqp_ssl_socket_new(conn_);
    if (socket != nullptr) {
      bool verify = !endpoint_.ca_cert.empty();
      if (verify && amqp_ssl_socket_set_cacert(socket, endpoint_.ca_cert.c_str()) != 0) {
        Fail("cannot load CA certificates from " + endpoint_.ca_cert);
      }
      amqp_ssl_socket_set_verify_peer(socket, verify ? 1 : 0);
      amqp_ssl_socket_set_verify_hostname(socket, verify ? 1 : 0);
    }
  } else {
    socket = amqp_tcp_socket_new(conn_);
  }
  if (socket == nullptr) Fail("cannot create an AMQP socket");
  timeval connect = ToTimeval(endpoint_.connect_timeout);
  int status = amqp_socket_open_noblock(socket, endpoint_.host.c_str(), endpoint_.port, &connect);
  if (status != AMQP_STATUS_OK) Fail(amqp_error_string2(status));
  // Bounds the login handshake and every RPC (declare, confirm.select).
  amqp_set_handshake_timeout(conn_, &connect);
  timeval rpc = ToTimeval(endpoint_.confirm_timeout);
  amqp_set_rpc_timeout(conn_, &rpc);
  amqp_rpc_reply_t login =
      amqp_login(conn_, endpoint_.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                 AMQP_SASL_METHOD_PLAIN, endpoint_.user.c_str(), endpoint_.password.c_str());
  if (login.reply_type != AMQP_RESPONSE_NORMAL) Fail("login failed: " + DescribeReply(login));
  amqp_channel_open(conn_, 1);
  CheckReply("channel.open");
  channel_open_ = true;
  amqp_confirm_select(conn_, 1);
  CheckReply("confirm.select");
}

AmqpPublisher::~AmqpPublisher() {
  if (conn_ == nullptr) return;
  if (channel_open_) {
    amqp_channel_close(conn_, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(conn_);
}

void AmqpPublisher::Fail(const std::string& what) {
  std::string message =
      fmt::format("AMQP {}:{} vhost {}: {}", endpoint_.host, endpoint_.port, endpoint_.vhost, what);
  if (conn_ != nullptr) {
    amqp_destroy_connection(conn_);
    conn_ = nullptr;
  }
  channel_open_ = false;
  throw Error(ErrorKind::kIo, message);
}

void AmqpPublisher::CheckReply(const std::string& what) {
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(conn_);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) Fail(what + ": " + DescribeReply(reply));
}

void AmqpPublisher::DeclareTopicExchange(const std::string& exchange) {
  amqp_exchange_declare(conn_, 1, Bytes(exchange), amqp_cstring_bytes("topic"), /*passive=*/0,
                        /*durable=*/1, /*auto_delete=*/0, /*internal=*/0, amqp_empty_table);
  CheckReply("exchange.declare " + exchange);
}

void AmqpPublisher::PublishConfirmed(const std::string& exchange, const std::string& routing_key,
                                     const std::string& body) {
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG |
                 AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.content_encoding = amqp_cstring_bytes("utf-8");
  props.delivery_mode = 2;  // persistent
  int status =
      amqp_basic_publish(conn_, 1, Bytes(exchange), Bytes(routing_key), 0, 0, &props, Bytes(body));
  if (status != AMQP_STATUS_OK) Fail("basic.publish: " + std::string(amqp_error_string2(status)));
  const uint64_t tag = next_delivery_tag_++;
  auto deadline = std::chrono::steady_clock::now() + endpoint_.confirm_timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) Fail(fmt::format("no confirm for {} within the timeout", exchange));
    timeval tv = ToTimeval(left);
    amqp_frame_t frame;
    amqp_maybe_release_buffers(conn_);
    status = amqp_simple_wait_frame_noblock(conn_, &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT) continue;
    if (status != AMQP_STATUS_OK)
      Fail("waiting for confirm: " + std::string(amqp_error_string2(status)));
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    switch (frame.payload.method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
        if (ack->delivery_tag == tag || (ack->multiple && ack->delivery_tag >= tag)) return;
        break;
      }
      case AMQP_BASIC_NACK_METHOD: {
        auto* nack = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
        if (nack->delivery_tag == tag || (nack->multiple && nack->delivery_tag >= tag)) {
          Fail("the broker refused (basic.nack) the message to " + exchange);
        }
        break;
      }
      case AMQP_CHANNEL_CLOSE_METHOD: {
        auto* m = static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
        std::string why = fmt::format("channel closed by the broker: {} {}", m->reply_code,
                                      FromBytes(m->reply_text));
        amqp_channel_close_ok_t ok{};
        amqp_send_method(conn_, 1, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
        channel_open_ = false;
        Fail(why);
      }
      case AMQP_CONNECTION_CLOSE_METHOD: {
        auto* m = static_cast<amqp_connection_close_t*>(frame.payload.method.decoded);
        std::string why = fmt::format("connection closed by the broker: {} {}", m->reply_code,
                                      FromBytes(m->reply_text));
        channel_open_ = false;
        Fail(why);
      }
      default:
        break;
    }
  }
}

}  // namespace hgc
