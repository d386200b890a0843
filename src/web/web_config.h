// Configuration of `hgcluster web` (one per mirror), read once at start from
// an INI file's [web] section; `hgcluster up` writes mirrors/NAME/web.ini.
// Thread-safety: a plain value.
#pragma once

#include <string>

#include "web/request_limits.h"

namespace hgc {

struct WebConfig {
  std::string listen_host = "127.0.0.1";  // listen = HOST:PORT (port 0: any free port)
  int listen_port = 0;
  std::string repos;               // repos = directory holding the mirror's repositories
  std::string hgweb_conf;          // hgweb_conf = `hg serve --web-conf` file for the workers
  std::string hgrcpath;            // hgrcpath = HGRCPATH of the workers (serve.rc: the view)
  int workers = 2;                 // workers = hg serve processes (0: native commands only)
  int threads = 64;                // threads = requests handled at once (handler threads;
                                   // idle connections take none)
  int io_threads = 2;              // io_threads = threads reading heads and writing answers
  std::string consumer_config;     // consumer_config = the mirror's consumer.ini (lag metrics)
  std::string pid_file;            // pid_file = where `web --drain` finds the server
  std::string worker_log;          // worker_log = output of the hg workers
  double drain_grace = 0;          // drain_grace = seconds health says 503 before closing
  double drain_timeout = 60;       // drain_timeout = seconds in-flight requests may still run
  int keep_alive_timeout = 5;      // keep_alive_timeout = idle keep-alive seconds
  int client_timeout = 360;        // client_timeout = seconds a write to a client may block
  int read_timeout = 30;           // read_timeout = seconds a client may take to send a
                                   // request body
  int request_head_timeout = 10;   // request_head_timeout = seconds from connecting to a
                                   // complete first request head
  size_t max_connections = 16384;  // max_connections = open connections (then 503)
  // max_buffered_body_bytes = request bodies held at once, all connections
  // together (each is under max_body_bytes); then 503
  uint64_t max_buffered_body_bytes = 256ull << 20;
  size_t max_connections_per_client = 1024;  // max_connections_per_client = per client
                                             // address (0: no cap; behind a proxy, all
                                             // clients share its address)
  int upstream_timeout = 360;                // upstream_timeout = seconds a worker may stay silent
  int replace_worker_after = 3;  // replace_worker_after = failed requests in a row (0: never)
  std::string bundles_dir;       // bundles_dir = clone bundle files served from disk ("": none)
  std::string bundles_url_prefix = "/bundles/";  // bundles_url_prefix = where they appear
  // bundles_advertised_as = the base URL (no trailing slash) clone bundle
  // manifests name for the files of bundles_dir (one mirror's address, say).
  // `clonebundles` is then answered here with this front's own address in
  // its place (web/clonebundles_manifest.h). "": manifests served as stored.
  std::string bundles_advertised_as;
  std::string tls_cert;         // tls_cert = PEM certificate chain: serve HTTPS ("": HTTP)
  std::string tls_key;          // tls_key = its PEM private key (unencrypted)
  RequestLimits limits;         // max_headers, max_header_bytes, max_body_bytes
  bool allow_symlinks = false;  // allow_symlinks = serve repositories reached through
                                // symbolic links below `repos` (off: 404, not listed)
  std::string origin;           // the file it came from

  // Throws Error(kConfig) naming the file and key on a missing or bad value.
  static WebConfig Load(const std::string& path);
  static WebConfig Parse(const std::string& text, const std::string& origin);
};

// The file Load reads back, every key written (`hgcluster up` writes one per
// mirror), after a `# comment` line.
std::string ToIni(const WebConfig& c, const std::string& comment);

}  // namespace hgc
