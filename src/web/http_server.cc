#include "web/http_server.h"

#include <fmt/format.h>
#include <strings.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/logline.h"
#include "web/front_support.h"
#include "web/http_response_head.h"
#include "web/repo_path.h"

namespace hgc {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

using web_front::kLogger;
constexpr size_t kChunk = 64 * 1024;

// The refusal for a parser error of a head; nullopt when the client only
// went away (nothing to answer).
std::optional<HeadProblem> ProblemOf(const beast::error_code& ec,
                                     const http::request_parser<http::empty_body>& parser) {
  const auto& fields = parser.get();
  bool has_length = fields.find(http::field::content_length) != fields.end();
  bool has_coding = fields.find(http::field::transfer_encoding) != fields.end();
  if (ec == http::error::header_limit) return HeadProblem::kHeaderTooLarge;
  if (ec == http::error::multiple_content_length) return HeadProblem::kConflictingLength;
  if (ec == http::error::bad_content_length) {
    return has_coding ? HeadProblem::kLengthWithChunked : HeadProblem::kMalformedLength;
  }
  if (ec == http::error::bad_transfer_encoding) {
    return has_length ? HeadProblem::kLengthWithChunked : HeadProblem::kBadTransferEncoding;
  }
  return std::nullopt;
}

bool ClientWentAway(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::operation_aborted ||
         ec == net::error::broken_pipe || ec == ssl::error::stream_truncated ||
         ec == http::error::partial_message;
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, Handlers handlers)
      : options_(std::move(options)),
        handlers_(std::move(handlers)),
        acceptor_(ioc_),
        pool_(static_cast<size_t>(std::max(1, options_.handler_threads))) {}

  ~Impl() { Stop(); }

  int Bind();
  void Start();
  void StopAccepting() {
    net::post(ioc_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
  }
  void Stop() {
    if (stopped_.exchange(true)) return;
    stopping_.store(true);
    ioc_.stop();
    for (auto& t : io_threads_) t.join();
    io_threads_.clear();
    pool_.stop();
    pool_.join();
  }

  // Counts a new connection from `client`; false when a cap refuses it.
  bool Admit(const std::string& client) {
    std::lock_guard lock(mu_);
    if (open_ >= options_.max_connections) return false;
    int& mine = per_client_[client];
    if (options_.max_connections_per_client > 0 &&
        static_cast<size_t>(mine) >= options_.max_connections_per_client) {
      if (mine == 0) per_client_.erase(client);
      return false;
    }
    ++mine;
    ++open_;
    if (handlers_.connection_opened) handlers_.connection_opened();
    return true;
  }
  void Release(const std::string& client) {
    std::lock_guard lock(mu_);
    auto it = per_client_.find(client);
    if (it != per_client_.end() && --it->second <= 0) per_client_.erase(it);
    --open_;
    if (handlers_.connection_closed) handlers_.connection_closed();
  }
  size_t open_connections() const {
    std::lock_guard lock(mu_);
    return open_;
  }
  // The budget of request body bytes held at once (max_buffered_body_bytes).
  bool ReserveBody(uint64_t bytes) {
    uint64_t held = body_bytes_.load();
    do {
      if (held + bytes > options_.max_buffered_body_bytes) return false;
    } while (!body_bytes_.compare_exchange_weak(held, held + bytes));
    return true;
  }
  void ReleaseBody(uint64_t bytes) {
    if (bytes > 0) body_bytes_.fetch_sub(bytes);
  }

  const HttpServerOptions& options() const { return options_; }
  const Handlers& handlers() const { return handlers_; }
  net::thread_pool& pool() { return pool_; }
  bool stopping() const { return stopping_.load(); }
  bool draining() const { return handlers_.draining && handlers_.draining(); }

 private:
  void Accept();
  void RefuseOverCap(tcp::socket socket);

  // Declared before the io_context and the pool: sessions whose handlers
  // these still hold are destroyed with them, and release their count here.
  HttpServerOptions options_;
  Handlers handlers_;
  mutable std::mutex mu_;
  size_t open_ = 0;
  std::unordered_map<std::string, int> per_client_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<uint64_t> body_bytes_{0};
  std::optional<ssl::context> tls_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::thread_pool pool_;
  std::vector<std::thread> io_threads_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
};

namespace {

// One connection: heads read on its strand, bodies too, the response
// written from the strand (screened answers) or from a handler thread
// through the strand (handled ones). One request at a time.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl& server, Stream stream, std::string client)
      : server_(server),
        stream_(std::move(stream)),
        client_(std::move(client)),
        read_timer_(stream_.get_executor()) {}
  ~Session() {
    server_.ReleaseBody(body_reserved_);
    server_.Release(client_);
  }

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      ReadHead();
    } else {
      Lowest().expires_after(std::chrono::seconds(server_.options().head_timeout));
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadHead();
                              });
    }
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  const RequestLimits& limits() const { return server_.options().limits; }

  void ReadHead() {
    head_.emplace();
    // The target may take kMaxTargetBytes beyond the fields' own limit.
    head_->header_limit(
        static_cast<std::uint32_t>(limits().max_header_bytes + kMaxTargetBytes + 64));
    head_->body_limit(boost::none);  // checked from the head (CheckRequestHead)
    int seconds =
        served_ == 0 ? server_.options().head_timeout : server_.options().keep_alive_timeout;
    head_seconds_ = seconds;
    ArmReadTimer(seconds);
    http::async_read_header(
        stream_, buffer_, *head_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
  }

  // A timer of our own for reads, not the stream's expiry (which closes the
  // socket): a head or body begun and not finished in time is still told
  // why. On expiry the pending read is cancelled.
  void ArmReadTimer(int seconds) {
    Lowest().expires_never();
    read_timed_out_ = false;
    read_timer_.expires_after(std::chrono::seconds(seconds));
    read_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->read_timed_out_ = true;
      beast::error_code ignored;
      self->Lowest().socket().cancel(ignored);
    });
  }

  void OnHead(beast::error_code ec) {
    read_timer_.cancel();
    if (ec && read_timed_out_) {
      // An idle connection just closes; a head begun and not finished is told.
      if (buffer_.size() == 0) return Close();
      return Refuse(RefusalFor(HeadProblem::kHeadTimeout, limits(), head_seconds_));
    }
    if (ec) {
      if (auto problem = ProblemOf(ec, *head_)) {
        if (*problem == HeadProblem::kHeaderTooLarge && !FirstLineEnded()) {
          problem = HeadProblem::kTargetTooLong;
        }
        return Refuse(RefusalFor(*problem, limits()));
      }
      if (ClientWentAway(ec)) return Close();
      return Refuse({400, fmt::format("malformed request: {}", ec.message())});
    }
    const auto& msg = head_->get();
    req_ = WebRequest{};
    req_.method = std::string(msg.method_string());
    req_.target = std::string(msg.target());
    req_.version = msg.version();
    for (const auto& field : msg) {
      req_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req_.remote_addr = client_;
    keep_alive_ = msg.keep_alive();
    if (req_.target.size() > kMaxTargetBytes) {
      return Refuse(RefusalFor(HeadProblem::kTargetTooLong, limits()));
    }
    if (req_.target.empty() || req_.target.front() != '/') {
      return Refuse({400, "malformed request: the target must be a path starting with '/'"});
    }
    auto q = req_.target.find('?');
    req_.path = PercentDecode(std::string_view(req_.target).substr(0, q), false);
    if (q != std::string::npos) req_.query = req_.target.substr(q + 1);
    std::optional<WebResponse> screened;
    try {
      screened = server_.handlers().screen(req_);
    } catch (const std::exception& e) {
      LogLine(kLogger, fmt::format("{} {}: {}", req_.method, req_.target.substr(0, 200), e.what()));
      screened = WebResponse::Text(500, "internal error\n");
    }
    bool has_body = head_->chunked() || head_->content_length().value_or(0) > 0;
    if (screened) {
      // A body left unread cannot be told from the next request.
      if (has_body) screened->close = true;
      return SendNow(std::move(*screened));
    }
    if (!has_body) return Dispatch();
    // Bodies are read whole before the handler runs: what all connections
    // may hold at once is bounded too, not only each body.
    uint64_t want = head_->content_length().value_or(limits().max_body_bytes);
    if (!server_.ReserveBody(want)) {
      return Refuse({503, "too many request bodies are being received; try again shortly"});
    }
    body_reserved_ = want;
    if (strcasecmp(std::string(msg[http::field::expect]).c_str(), "100-continue") == 0) {
      auto cont = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      Lowest().expires_after(std::chrono::seconds(server_.options().write_timeout));
      net::async_write(stream_, net::buffer(*cont),
                       [self = this->shared_from_this(), cont](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    body_.emplace(std::move(*head_));
    body_->body_limit(limits().max_body_bytes);
    ArmReadTimer(server_.options().read_timeout);
    http::async_read(
        stream_, buffer_, *body_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    read_timer_.cancel();
    if (ec == http::error::body_limit) {
      return Refuse(RefusalFor(HeadProblem::kBodyTooLarge, limits()));
    }
    if (ec && read_timed_out_) {
      return Refuse(
          RefusalFor(HeadProblem::kBodyTimeout, limits(), server_.options().read_timeout));
    }
    if (ec == http::error::bad_chunk || ec == http::error::bad_chunk_extension) {
      return Refuse({400, "malformed chunked request body"});
    }
    if (ec) return Close();
    req_.body = std::move(body_->get().body());
    body_.reset();
    Dispatch();
  }

  bool FirstLineEnded() const {
    auto data = buffer_.cdata();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    return text.find('\n') != std::string_view::npos;
  }

  void Refuse(const Refusal& refusal) {
    WebResponse res = WebResponse::Text(refusal.status, refusal.message + "\n");
    res.close = true;
    if (server_.handlers().refused) server_.handlers().refused(refusal.status, res.body.size());
    SendNow(std::move(res));
  }

  // On the strand: a whole response, written asynchronously.
  void SendNow(WebResponse res) {
    bool keep = KeepAlive(res, /*length_known=*/true);
    bool no_body = req_.method == "HEAD" || res.status == 204 || res.status == 304;
    auto bytes = std::make_shared<std::string>(
        ResponseHead(res, res.body.size(), keep, false, req_.version));
    if (!no_body) bytes->append(res.body);
    Lowest().expires_after(std::chrono::seconds(server_.options().write_timeout));
    net::async_write(stream_, net::buffer(*bytes),
                     [self = this->shared_from_this(), bytes, keep](beast::error_code ec, size_t) {
                       if (ec || !keep) return self->Close();
                       ++self->served_;
                       self->ReadHead();
                     });
  }

  bool KeepAlive(const WebResponse& res, bool length_known) const {
    return keep_alive_ && !res.close && !server_.draining() && !server_.stopping() &&
           (length_known || req_.version >= 11);
  }

  // The whole request is read: `handle` runs on a handler thread, which then
  // writes the response through the strand.
  void Dispatch() {
    net::post(server_.pool(), [self = this->shared_from_this()] { self->HandleOnPool(); });
  }

  void HandleOnPool() {
    WebResponse res;
    try {
      res = server_.handlers().handle(req_);
    } catch (const std::exception& e) {
      LogLine(kLogger, fmt::format("{} {}: {}", req_.method, req_.target.substr(0, 200), e.what()));
      res = WebResponse::Text(500, "internal error\n");
    }
    // The body has been used (a proxied one is sent to hg by now).
    req_.body = std::string();
    server_.ReleaseBody(std::exchange(body_reserved_, 0));
    if (!res.source) {
      // A whole body: the strand writes it, and this thread is free at once.
      net::dispatch(stream_.get_executor(),
                    [self = this->shared_from_this(), res = std::move(res)]() mutable {
                      self->SendNow(std::move(res));
                    });
      return;
    }
    StartStreaming(std::move(res));
  }

  // A response whose body comes from a source: the head is written, then
  // each piece is pulled on a handler thread and written by the strand, and
  // only once it is written is the next piece pulled. No thread waits for
  // a slow client: it holds a socket, one piece and its source (an hg
  // worker's connection, an open file) until `client_timeout` passes.
  struct Streaming {
    WebResponse res;
    std::optional<uint64_t> length;
    bool chunked = false;
    bool keep = false;
    uint64_t sent = 0;
  };

  void StartStreaming(WebResponse res) {
    auto st = std::make_shared<Streaming>();
    bool no_body = req_.method == "HEAD" || res.status == 204 || res.status == 304;
    st->length = res.source_length;
    st->chunked = !st->length && req_.version >= 11 && !no_body;
    st->keep = KeepAlive(res, st->length.has_value() || st->chunked || no_body);
    std::string head = ResponseHead(res, st->length, st->keep, st->chunked, req_.version);
    st->res = std::move(res);
    if (no_body) {
      return WriteThen(std::move(head), [self = this->shared_from_this(), st] {
        self->FinishStreaming(st, st->keep);
      });
    }
    WriteThen(std::move(head), [self = this->shared_from_this(), st] { self->PumpLater(st); });
  }

  void PumpLater(const std::shared_ptr<Streaming>& st) {
    net::post(server_.pool(), [self = this->shared_from_this(), st] { self->Pump(st); });
  }

  // On a handler thread: the next piece.
  void Pump(const std::shared_ptr<Streaming>& st) {
    if (server_.stopping()) return;
    std::string piece(kChunk, '\0');
    long n = st->res.source(piece.data(), piece.size());
    if (n < 0) return FinishStreaming(st, false);  // cut off: the client sees a short body
    if (n == 0) {
      if (st->length && st->sent != *st->length) return FinishStreaming(st, false);
      if (!st->chunked) return FinishStreaming(st, st->keep);
      return WriteThen("0\r\n\r\n", [self = this->shared_from_this(), st] {
        self->FinishStreaming(st, st->keep);
      });
    }
    st->sent += static_cast<uint64_t>(n);
    if (st->length && st->sent > *st->length) return FinishStreaming(st, false);
    piece.resize(static_cast<size_t>(n));
    if (st->chunked) piece = fmt::format("{:x}\r\n", n) + piece + "\r\n";
    WriteThen(std::move(piece), [self = this->shared_from_this(), st] { self->PumpLater(st); });
  }

  // From any thread: the strand writes `bytes` with the write timeout, then
  // runs `then`; a failed write closes the connection instead.
  void WriteThen(std::string bytes, std::function<void()> then) {
    auto data = std::make_shared<std::string>(std::move(bytes));
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this(), data,
                                           then = std::move(then)]() mutable {
      self->Lowest().expires_after(std::chrono::seconds(self->server_.options().write_timeout));
      net::async_write(self->stream_, net::buffer(*data),
                       [self, data, then = std::move(then)](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         then();
                       });
    });
  }

  // From any thread: the response is done with. Its source (and what it
  // holds) is released before the connection waits for more.
  void FinishStreaming(const std::shared_ptr<Streaming>& st, bool keep) {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this(), st, keep] {
      st->res = WebResponse{};
      if (!keep) return self->Close();
      ++self->served_;
      self->ReadHead();
    });
  }

  void Close() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.socket().close(ignored);
    } else {
      Lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->Lowest().socket().close(ignored);
      });
    }
  }

  HttpServer::Impl& server_;
  Stream stream_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> head_;
  std::optional<http::request_parser<http::string_body>> body_;
  WebRequest req_;
  bool keep_alive_ = false;
  int served_ = 0;
  int head_seconds_ = 0;
  uint64_t body_reserved_ = 0;  // of the server's body budget
  net::steady_timer read_timer_;
  bool read_timed_out_ = false;
};

// Lets the process hold as many sockets as the caps allow.
void RaiseOpenFileLimit(size_t wanted) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want = std::min<rlim_t>(rl.rlim_max, static_cast<rlim_t>(wanted));
  if (rl.rlim_cur < want) {
    rl.rlim_cur = want;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

int HttpServer::Impl::Bind() {
  if (!options_.tls_cert.empty()) {
    tls_.emplace(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls_->use_certificate_chain_file(options_.tls_cert, ec);
    if (!ec) tls_->use_private_key_file(options_.tls_key, ssl::context::pem, ec);
    if (ec) {
      throw Error(ErrorKind::kConfig,
                  fmt::format("{}: [web] tls_cert {} / tls_key {}: cannot load them ({}; a PEM "
                              "certificate chain and its unencrypted PEM private key, readable "
                              "by this user)",
                              options_.origin, options_.tls_cert, options_.tls_key, ec.message()));
    }
  }
  RaiseOpenFileLimit(options_.max_connections + 1024);
  beast::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  tcp::endpoint endpoint;
  if (!ec) {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(options_.port));
    acceptor_.open(endpoint.protocol(), ec);
  }
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(4096, ec);
  if (ec) {
    throw Error(ErrorKind::kIo,
                fmt::format("{}: cannot listen on {}:{} ({}: in use, or not a local address)",
                            options_.origin, options_.host, options_.port, ec.message()));
  }
  return acceptor_.local_endpoint().port();
}

void HttpServer::Impl::Start() {
  work_.emplace(ioc_.get_executor());
  Accept();
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] { ioc_.run(); });
  }
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors, say: wait a little rather than spin.
      LogLine(kLogger, fmt::format("accept failed: {}", ec.message()));
      auto timer = std::make_shared<net::steady_timer>(ioc_, std::chrono::milliseconds(100));
      timer->async_wait([this, timer](beast::error_code) { Accept(); });
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto remote = socket.remote_endpoint(ec);
    std::string client = ec ? std::string("unknown") : remote.address().to_string();
    if (!Admit(client)) {
      RefuseOverCap(std::move(socket));
    } else if (tls_) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          *this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_),
          client)
          ->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)),
                                                   client)
          ->Start();
    }
    Accept();
  });
}

// Over a cap: a plain 503 (even on an HTTPS port: no handshake is spent on
// it) and the connection closes.
void HttpServer::Impl::RefuseOverCap(tcp::socket socket) {
  auto text = std::make_shared<std::string>(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: 44\r\nConnection: close\r\n\r\ntoo many open connections; try again "
      "later\n");
  if (handlers_.refused) handlers_.refused(503, 44);
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  stream->expires_after(std::chrono::seconds(2));
  net::async_write(*stream, net::buffer(*text), [stream, text](beast::error_code, size_t) {
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->socket().close(ignored);
  });
}

HttpServer::HttpServer(HttpServerOptions options, Handlers handlers)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handlers))) {}
HttpServer::~HttpServer() = default;
int HttpServer::Bind() { return impl_->Bind(); }
void HttpServer::Start() { impl_->Start(); }
void HttpServer::StopAccepting() { impl_->StopAccepting(); }
void HttpServer::Stop() { impl_->Stop(); }
size_t HttpServer::open_connections() const { return impl_->open_connections(); }

}  // namespace hgc
