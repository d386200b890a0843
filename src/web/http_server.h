// The web front's HTTP/1.1 server: event-driven (Boost.Asio, Boost.Beast's
// parser), so an open connection costs a socket and a small buffer, never a
// thread. A few I/O threads read request heads under a timeout and caps
// (connections in total and per client address, header bytes, target
// length, RFC 9112 framing), hand every request whose head passes to
// `screen` at once (refusals and the health page are answered there,
// on the I/O thread, so they stay answerable while the data path is busy),
// read the body of the rest under its own limit and timeout, and run
// `handle` on a pool of handler threads, whose responses stream back with a
// write timeout. HTTPS when a certificate is given.
// Thread-safety: Bind() and Start() from one thread, then StopAccepting()
// and Stop() from any thread; the handlers run on many threads at once.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "web/http_message.h"
#include "web/request_limits.h"

namespace hgc {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;          // 0: any free port
  std::string tls_cert;  // PEM chain and key: HTTPS ("": plain HTTP)
  std::string tls_key;
  std::string origin;  // the config file, for errors
  int io_threads = 2;
  int handler_threads = 64;               // requests handled (and streamed) at once
  int head_timeout = 10;                  // seconds from connecting to a complete first head
  int keep_alive_timeout = 5;             // idle seconds between requests of a connection
  int read_timeout = 30;                  // seconds for a request body
  int write_timeout = 360;                // seconds one write to a client may wait
  size_t max_connections = 16384;         // open at once (then 503 and close)
  size_t max_connections_per_client = 0;  // per client address (0: no cap)
  // Request bodies are read whole (each under limits.max_body_bytes); all
  // those being read or handled at once stay under this (then 503).
  uint64_t max_buffered_body_bytes = 256ull << 20;
  RequestLimits limits;
};

class HttpServer {
 public:
  struct Handlers {
    // On an I/O thread once a head passed the server's own checks, before a
    // body is read: a response is sent at once; nullopt reads the body and
    // calls `handle`. Must not block.
    std::function<std::optional<WebResponse>(const WebRequest&)> screen;
    // On a handler thread, with the body read. May block (hg, SQLite).
    std::function<WebResponse(const WebRequest&)> handle;
    // What the server refused itself (status and body bytes): framing,
    // timeouts, caps.
    std::function<void(int status, uint64_t bytes)> refused;
    std::function<void()> connection_opened;
    std::function<void()> connection_closed;
    // True while draining: every response then closes its connection.
    std::function<bool()> draining;
  };

  HttpServer(HttpServerOptions options, Handlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the port. Throws Error(kIo) when the address
  // is taken, Error(kConfig) when the certificate or key cannot be loaded.
  int Bind();
  // Starts the I/O and handler threads; returns at once.
  void Start();
  // Closes the listener: new connections are refused by the kernel, open
  // ones go on.
  void StopAccepting();
  // Closes every connection and joins the threads. Handlers still streaming
  // see their writes fail.
  void Stop();

  size_t open_connections() const;

  class Impl;  // http_server.cc's own

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace hgc
