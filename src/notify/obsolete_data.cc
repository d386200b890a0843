// obsolete.1 data. Thread-safety: see header.
#include "notify/obsolete_data.h"

#include <fmt/format.h>

#include "common/error.h"
#include "common/logline.h"
#include "common/subprocess.h"
#include "hg/hg_runner.h"
#include "hg/obsmarker_pushkey.h"
#include "notify/pushlog_reader.h"

namespace hgc {
namespace {

struct HgLog {
  const std::string& hg;
  const std::string& repo;

  ProcessResult Run(const std::string& node, bool hidden, const std::string& tmpl) const {
    std::vector<std::string> args{"log"};
    if (hidden) args.push_back("--hidden");
    args.insert(args.end(), {"-r", node, "-T", tmpl});
    HgProcessOptions o;
    o.hg = hg;
    o.keep_hgrcpath = true;
    return MakeProcessHgRunner(o)->Run(repo, args);
  }
};

OrderedJson NodePayload(const HgLog& hg, const std::string& repo_url, const std::string& node) {
  // "{node}\0{desc}": hg's template escapes turn \0 into a NUL separator.
  ProcessResult info = hg.Run(node, true, "{node}\\0{desc}");
  bool known = info.ok();
  if (!known && info.err.find("unknown revision") == std::string::npos) {
    throw Error(ErrorKind::kHgFailed,
                fmt::format("hg log -r {} failed in {}: {}", node, hg.repo, info.err));
  }
  OrderedJson visible = nullptr;
  OrderedJson desc = nullptr;
  if (known) {
    size_t nul = info.out.find('\0');
    desc = nul == std::string::npos ? std::string() : info.out.substr(nul + 1);
    ProcessResult shown = hg.Run(node, false, "{node}");
    if (shown.ok()) {
      visible = shown.out.find_first_not_of(" \t\r\n") != std::string::npos;
    } else if (shown.err.find("hidden revision") != std::string::npos) {
      visible = false;
    }
  }
  OrderedJson out = OrderedJson::object();
  out["node"] = node;
  out["known"] = known;
  out["visible"] = visible;
  out["desc"] = desc;
  out["push"] = known ? PushOfNode(hg.repo, repo_url, node) : OrderedJson(nullptr);
  return out;
}

}  // namespace

OrderedJson ObsoleteData(const std::string& hg, const std::string& repo_path,
                         const std::string& repo_url, const std::string& base85_markers,
                         const std::string& logger) {
  LogLine(logger, "processing obsolete pushkey message for " + repo_url);
  std::vector<ObsMarker> markers = DecodeObsMarkers(base85_markers);
  LogLine(logger, fmt::format("processing {} obsolete markers", markers.size()));
  HgLog log{hg, repo_path};
  OrderedJson list = OrderedJson::array();
  for (const auto& marker : markers) {
    OrderedJson entry = OrderedJson::object();
    entry["precursor"] = NodePayload(log, repo_url, marker.precursor);
    entry["successors"] = OrderedJson::array();
    for (const auto& s : marker.successors) {
      entry["successors"].push_back(NodePayload(log, repo_url, s));
    }
    OrderedJson user = nullptr;
    for (const auto& [k, v] : marker.metadata) {
      if (k == "user") user = v;
    }
    entry["user"] = user;
    entry["time"] = marker.date;
    list.push_back(std::move(entry));
  }
  OrderedJson data = OrderedJson::object();
  data["repo_url"] = repo_url;
  data["markers"] = std::move(list);
  return data;
}

}  // namespace hgc
