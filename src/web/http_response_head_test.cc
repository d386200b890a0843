#include "web/http_response_head.h"

#include <gtest/gtest.h>

namespace hgc {
namespace {

TEST(ResponseHead, LengthTypeAndTheHandlersHeaders) {
  WebResponse r = WebResponse::Text(404, "no\n");
  r.headers = {{"Cache-Control", "no-store"}, {"Content-Length", "99"}, {"Connection", "x"}};
  EXPECT_EQ(ResponseHead(r, 3, true, false, 11),
            "HTTP/1.1 404 Not Found\r\nCache-Control: no-store\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\n");
}

TEST(ResponseHead, ChunkedClosedAndKeptAliveForHttp10) {
  WebResponse r;
  r.content_type = "application/mercurial-0.1";
  EXPECT_EQ(ResponseHead(r, std::nullopt, false, true, 11),
            "HTTP/1.1 200 OK\r\nContent-Type: application/mercurial-0.1\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ResponseHead(r, 5, true, false, 10),
            "HTTP/1.1 200 OK\r\nContent-Type: application/mercurial-0.1\r\n"
            "Content-Length: 5\r\nConnection: keep-alive\r\n\r\n");
}

TEST(ResponseHead, HeadersWithLineBreaksAreDroppedAndBodilessStatusesHaveNoLength) {
  WebResponse r;
  r.status = 304;
  r.content_type = "";
  r.headers = {{"X-Evil", "a\r\nSet-Cookie: x=1"}, {"ETag", "\"1\""}};
  EXPECT_EQ(ResponseHead(r, 0, true, false, 11),
            "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n");
}

}  // namespace
}  // namespace hgc
