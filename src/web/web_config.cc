#include "web/web_config.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>

#include "common/error.h"
#include "common/ini.h"

namespace hgc {
namespace {

WebConfig FromIni(const IniFile& ini) {
  const std::string s = "web";
  WebConfig c;
  c.origin = ini.origin();
  std::string listen = ini.GetOr(s, "listen", "127.0.0.1:0");
  auto colon = listen.rfind(':');
  auto bad = [&](const std::string& key, const std::string& why) {
    return Error(ErrorKind::kConfig, fmt::format("{}: [web] {}: {}", c.origin, key, why));
  };
  if (colon == std::string::npos) throw bad("listen", "expected HOST:PORT, e.g. 127.0.0.1:8000");
  c.listen_host = listen.substr(0, colon);
  auto int_of = [&](const std::string& key, const std::string& text, int min) {
    try {
      size_t used = 0;
      int v = std::stoi(text, &used);
      if (used != text.size() || v < min) throw std::invalid_argument(text);
      return v;
    } catch (const std::exception&) {
      throw bad(key, fmt::format("'{}' is not an integer >= {}", text, min));
    }
  };
  c.listen_port = int_of("listen", listen.substr(colon + 1), 0);
  c.repos = ini.Require(s, "repos");
  auto abs = [](const std::string& p) {
    return p.empty() ? p : std::filesystem::absolute(p).lexically_normal().string();
  };
  c.repos = abs(c.repos);
  while (c.repos.size() > 1 && c.repos.back() == '/') c.repos.pop_back();
  c.workers = int_of("workers", ini.GetOr(s, "workers", "2"), 0);
  if (c.workers > 0) {
    c.hgweb_conf = abs(ini.Require(s, "hgweb_conf"));
    c.hgrcpath = ini.GetOr(s, "hgrcpath", "");
  }
  c.threads = int_of("threads", ini.GetOr(s, "threads", "64"), 2);
  c.consumer_config = abs(ini.GetOr(s, "consumer_config", ""));
  c.pid_file = abs(ini.GetOr(s, "pid_file", ""));
  c.worker_log = abs(ini.GetOr(s, "worker_log", ""));
  c.drain_grace = ini.GetDouble(s, "drain_grace", 0);
  c.drain_timeout = ini.GetDouble(s, "drain_timeout", 60);
  c.keep_alive_timeout = int_of("keep_alive_timeout", ini.GetOr(s, "keep_alive_timeout", "5"), 1);
  c.client_timeout = int_of("client_timeout", ini.GetOr(s, "client_timeout", "360"), 1);
  c.allow_symlinks = ini.GetBool(s, "allow_symlinks", false);
  c.tls_cert = abs(ini.GetOr(s, "tls_cert", ""));
  c.tls_key = abs(ini.GetOr(s, "tls_key", ""));
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    throw bad(c.tls_cert.empty() ? "tls_cert" : "tls_key",
              "HTTPS needs both tls_cert (PEM certificate chain) and tls_key (its private key)");
  }
  c.read_timeout = int_of("read_timeout", ini.GetOr(s, "read_timeout", "30"), 1);
  c.io_threads = int_of("io_threads", ini.GetOr(s, "io_threads", "2"), 1);
  c.request_head_timeout =
      int_of("request_head_timeout", ini.GetOr(s, "request_head_timeout", "10"), 1);
  c.max_connections =
      static_cast<size_t>(int_of("max_connections", ini.GetOr(s, "max_connections", "16384"), 1));
  c.max_connections_per_client = static_cast<size_t>(
      int_of("max_connections_per_client", ini.GetOr(s, "max_connections_per_client", "1024"), 0));
  c.limits.max_headers = int_of("max_headers", ini.GetOr(s, "max_headers", "100"), 1);
  c.limits.max_header_bytes =
      int_of("max_header_bytes", ini.GetOr(s, "max_header_bytes", "65536"), 1024);
  c.limits.max_body_bytes =
      static_cast<size_t>(int_of("max_body_bytes", ini.GetOr(s, "max_body_bytes", "67108864"), 0));
  {
    std::string text = ini.GetOr(s, "max_buffered_body_bytes", "268435456");
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        v < c.limits.max_body_bytes) {
      throw bad("max_buffered_body_bytes",
                fmt::format("'{}' is not a byte count >= max_body_bytes ({})", text,
                            c.limits.max_body_bytes));
    }
    c.max_buffered_body_bytes = v;
  }
  c.bundles_dir = abs(ini.GetOr(s, "bundles_dir", ""));
  c.bundles_url_prefix = ini.GetOr(s, "bundles_url_prefix", "/bundles/");
  if (c.bundles_url_prefix.size() < 3 || c.bundles_url_prefix.front() != '/' ||
      c.bundles_url_prefix.back() != '/') {
    throw bad("bundles_url_prefix", "expected a path like /bundles/ (leading and trailing slash)");
  }
  c.bundles_advertised_as = ini.GetOr(s, "bundles_advertised_as", "");
  while (!c.bundles_advertised_as.empty() && c.bundles_advertised_as.back() == '/') {
    c.bundles_advertised_as.pop_back();
  }
  if (!c.bundles_advertised_as.empty() && !c.bundles_advertised_as.starts_with("http://") &&
      !c.bundles_advertised_as.starts_with("https://")) {
    throw bad("bundles_advertised_as", "expected an http:// or https:// URL");
  }
  if (!c.bundles_advertised_as.empty() && c.bundles_dir.empty()) {
    throw bad("bundles_advertised_as", "needs bundles_dir: this front must serve the files");
  }
  c.upstream_timeout = int_of("upstream_timeout", ini.GetOr(s, "upstream_timeout", "360"), 1);
  c.replace_worker_after =
      int_of("replace_worker_after", ini.GetOr(s, "replace_worker_after", "3"), 0);
  return c;
}

}  // namespace

WebConfig WebConfig::Load(const std::string& path) { return FromIni(IniFile::Load(path)); }

WebConfig WebConfig::Parse(const std::string& text, const std::string& origin) {
  return FromIni(IniFile::Parse(text, origin));
}

std::string ToIni(const WebConfig& c, const std::string& comment) {
  std::string out = fmt::format(
      "# {}\n"
      "[web]\n"
      "listen = {}:{}\n"
      "repos = {}\n"
      "workers = {}\n"
      "threads = {}\n",
      comment, c.listen_host, c.listen_port, c.repos, c.workers, c.threads);
  auto put = [&](const char* key, const auto& value) {
    out += fmt::format("{} = {}\n", key, value);
  };
  auto put_set = [&](const char* key, const std::string& value) {
    if (!value.empty()) put(key, value);
  };
  put_set("hgweb_conf", c.hgweb_conf);
  put_set("hgrcpath", c.hgrcpath);
  put_set("consumer_config", c.consumer_config);
  put_set("pid_file", c.pid_file);
  put_set("worker_log", c.worker_log);
  put("drain_grace", c.drain_grace);
  put("drain_timeout", c.drain_timeout);
  put("keep_alive_timeout", c.keep_alive_timeout);
  put("client_timeout", c.client_timeout);
  put("read_timeout", c.read_timeout);
  put("io_threads", c.io_threads);
  put("request_head_timeout", c.request_head_timeout);
  put("max_connections", c.max_connections);
  put("max_connections_per_client", c.max_connections_per_client);
  put("max_buffered_body_bytes", c.max_buffered_body_bytes);
  put("upstream_timeout", c.upstream_timeout);
  put("replace_worker_after", c.replace_worker_after);
  put("max_headers", c.limits.max_headers);
  put("max_header_bytes", c.limits.max_header_bytes);
  put("max_body_bytes", c.limits.max_body_bytes);
  put("allow_symlinks", c.allow_symlinks ? "true" : "false");
  if (!c.bundles_dir.empty()) {
    out += "# clone bundles (hgcluster bundles generate), served from disk\n";
    put("bundles_dir", c.bundles_dir);
    put("bundles_url_prefix", c.bundles_url_prefix);
    put_set("bundles_advertised_as", c.bundles_advertised_as);
  }
  put_set("tls_cert", c.tls_cert);
  put_set("tls_key", c.tls_key);
  return out;
}

}  // namespace hgc
