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

// Every key ToIni writes reads back as it was (none left at a default).
TEST(WebConfigTest, ToIniIsWhatParseReads) {
  WebConfig c;
  c.listen_host = "10.0.0.5";
  c.listen_port = 8443;
  c.repos = "/srv/repos";
  c.hgweb_conf = "/m/hgweb.conf";
  c.hgrcpath = "/m/serve.rc";
  c.workers = 5;
  c.threads = 16;
  c.consumer_config = "/m/consumer.ini";
  c.pid_file = "/m/web.pid";
  c.worker_log = "/m/hg-workers.log";
  c.drain_grace = 2.5;
  c.drain_timeout = 45;
  c.keep_alive_timeout = 7;
  c.client_timeout = 90;
  c.read_timeout = 11;
  c.upstream_timeout = 120;
  c.replace_worker_after = 0;
  c.limits.max_headers = 50;
  c.limits.max_header_bytes = 4096;
  c.limits.max_body_bytes = 1000;
  c.allow_symlinks = true;
  c.bundles_dir = "/srv/bundles";
  c.bundles_url_prefix = "/cdn/";
  c.bundles_advertised_as = "https://m1.example.com/cdn";
  c.tls_cert = "/m/cert.pem";
  c.tls_key = "/m/key.pem";
  WebConfig b = WebConfig::Parse(ToIni(c, "a test"), "web.ini");
  EXPECT_EQ(b.listen_host, c.listen_host);
  EXPECT_EQ(b.listen_port, c.listen_port);
  EXPECT_EQ(b.repos, c.repos);
  EXPECT_EQ(b.hgweb_conf, c.hgweb_conf);
  EXPECT_EQ(b.hgrcpath, c.hgrcpath);
  EXPECT_EQ(b.workers, c.workers);
  EXPECT_EQ(b.threads, c.threads);
  EXPECT_EQ(b.consumer_config, c.consumer_config);
  EXPECT_EQ(b.pid_file, c.pid_file);
  EXPECT_EQ(b.worker_log, c.worker_log);
  EXPECT_DOUBLE_EQ(b.drain_grace, c.drain_grace);
  EXPECT_DOUBLE_EQ(b.drain_timeout, c.drain_timeout);
  EXPECT_EQ(b.keep_alive_timeout, c.keep_alive_timeout);
  EXPECT_EQ(b.client_timeout, c.client_timeout);
  EXPECT_EQ(b.read_timeout, c.read_timeout);
  EXPECT_EQ(b.upstream_timeout, c.upstream_timeout);
  EXPECT_EQ(b.replace_worker_after, c.replace_worker_after);
  EXPECT_EQ(b.limits.max_headers, c.limits.max_headers);
  EXPECT_EQ(b.limits.max_header_bytes, c.limits.max_header_bytes);
  EXPECT_EQ(b.limits.max_body_bytes, c.limits.max_body_bytes);
  EXPECT_EQ(b.allow_symlinks, c.allow_symlinks);
  EXPECT_EQ(b.bundles_dir, c.bundles_dir);
  EXPECT_EQ(b.bundles_url_prefix, c.bundles_url_prefix);
  EXPECT_EQ(b.bundles_advertised_as, c.bundles_advertised_as);
  EXPECT_EQ(b.tls_cert, c.tls_cert);
  EXPECT_EQ(b.tls_key, c.tls_key);
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
