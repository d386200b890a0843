// What an HTTP client controls before any body: the request head. Parsed by
// Beast's parser with the web front's header limit, checked as the front
// checks it (web/request_limits.h), and a response head written from what
// the client sent (a header value taken from the request, as a proxied
// answer could carry one): it must stay one header per line.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "web/http_response_head.h"
#include "web/request_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace http = boost::beast::http;
  hgc::RequestLimits limits;
  limits.max_header_bytes = 4096;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes + hgc::kMaxTargetBytes));
  parser.body_limit(boost::none);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  const auto& msg = parser.get();
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& f : msg)
    headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  std::string target(msg.target());
  std::string query =
      target.find('?') == std::string::npos ? "" : target.substr(target.find('?') + 1);
  auto refusal = hgc::CheckRequestHead({std::string(msg.method_string()), query, &headers}, limits);
  if (refusal && (refusal->status < 400 || refusal->status > 499 || refusal->message.empty() ||
                  refusal->message.find('\n') != std::string::npos)) {
    std::abort();
  }
  hgc::WebResponse res = hgc::WebResponse::Text(refusal ? refusal->status : 200, "x");
  res.headers = headers;
  res.content_type = msg[http::field::content_type];
  std::string head = hgc::ResponseHead(res, 1, !refusal, false, msg.version());
  // Every line ends in CRLF and holds no other CR or LF; one blank line ends it.
  if (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) std::abort();
  for (size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) std::abort();
    if (head[i] == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) std::abort();
  }
  if (head.find("\r\n\r\n") != head.size() - 4) std::abort();
  return 0;
}
