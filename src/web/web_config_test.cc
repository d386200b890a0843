#include "web/web_config.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace hgc {
namespace {

TEST(WebConfigTest, ReadsEveryKeyAndDefaults) {
  WebConfig c = WebConfig::Parse(
      "[web]\nlisten = 127.0.0.1:8080\nrepos = /srv/repos/\nhgweb_conf = /m/hgweb.conf\n"
      "hgrcpath = /m/serve.rc\nworkers = 3\nthreads = 32\nconsumer_config = /m/consumer.ini\n"
      "pid_file = /m/web.pid\ndrain_grace = 1.5\ndrain_timeout = 20\n",
      "web.ini");
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.repos, "/srv/repos");
  EXPECT_EQ(c.hgweb_conf, "/m/hgweb.conf");
  EXPECT_EQ(c.hgrcpath, "/m/serve.rc");
  EXPECT_EQ(c.workers, 3);
  EXPECT_EQ(c.threads, 32);
  EXPECT_EQ(c.consumer_config, "/m/consumer.ini");
  EXPECT_EQ(c.pid_file, "/m/web.pid");
  EXPECT_DOUBLE_EQ(c.drain_grace, 1.5);
  EXPECT_DOUBLE_EQ(c.drain_timeout, 20);
  EXPECT_EQ(c.keep_alive_timeout, 5);
  EXPECT_EQ(c.client_timeout, 360);
}

TEST(WebConfigTest, ErrorsNameTheFileAndKey) {
  auto message = [](const std::string& text) {
    try {
      WebConfig::Parse(text, "web.ini");
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConfig);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("[web]\nrepos = /r\nworkers = 0\ntls_cert = /c.pem\n"),
            "web.ini: [web] tls_key: HTTPS needs both tls_cert (PEM certificate chain) and "
            "tls_key (its private key)");
  EXPECT_EQ(message("[web]\nrepos = /r\nworkers = 0\nmax_headers = 0\n"),
            "web.ini: [web] max_headers: '0' is not an integer >= 1");
  EXPECT_EQ(message("[web]\nlisten = 8080\nrepos = /r\nworkers = 0\n"),
            "web.ini: [web] listen: expected HOST:PORT, e.g. 127.0.0.1:8000");
  EXPECT_EQ(message("[web]\nlisten = 127.0.0.1:http\nrepos = /r\nworkers = 0\n"),
            "web.ini: [web] listen: 'http' is not an integer >= 0");
  EXPECT_EQ(message("[web]\nrepos = /r\nworkers = -1\n"),
            "web.ini: [web] workers: '-1' is not an integer >= 0");
  EXPECT_NE(message("[web]\nrepos = /r\nworkers = 2\n").find("hgweb_conf"), std::string::npos);
  EXPECT_EQ(message("[web]\nrepos = /r\nworkers = 0\nbundles_dir = /b\n"
                    "bundles_advertised_as = m1/bundles\n"),
            "web.ini: [web] bundles_advertised_as: expected an http:// or https:// URL");
  EXPECT_EQ(message("[web]\nrepos = /r\nworkers = 0\nbundles_advertised_as = http://m1/b\n"),
            "web.ini: [web] bundles_advertised_as: needs bundles_dir: this front must serve the "
            "files");
}

TEST(WebConfigTest, BundlesAdvertisedAsLosesItsTrailingSlash) {
  WebConfig c = WebConfig::Parse(
      "[web]\nrepos = /r\nworkers = 0\nbundles_dir = /b\n"
      "bundles_advertised_as = http://m1:8000/bundles/\n",
      "web.ini");
  EXPECT_EQ(c.bundles_advertised_as, "http://m1:8000/bundles");
}

}  // namespace
}  // namespace hgc
