// What Firefox tooling calls works on every mirror (issue 16): the real
// client libraries, installed from PyPI by scripts/install-pyclients.sh, run
// their own public functions against each mirror of a local cluster and get
// what hg.mozilla.org would give them. taskgraph asks
// json-automationrelevance which files a push changed; mozregression walks
// json-pushes by changeset and by date and reports an unknown changeset as
// its EmptyPushlogError.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cluster_fixture.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

std::string ClientsPython() {
  if (const char* venv = std::getenv("HGCLUSTER_PYCLIENTS"))
    return std::string(venv) + "/bin/python";
  const char* cache = std::getenv("XDG_CACHE_HOME");
  std::string base = cache ? cache : std::string(std::getenv("HOME")) + "/.cache";
  return base + "/hgcluster/pyclients/bin/python";
}

// Runs in the client's working copy (taskgraph asks which VCS it is in).
constexpr const char* kClientScript = R"PY(
import datetime, json, sys
from taskgraph.files_changed import get_changed_files
from mozregression.errors import EmptyPushlogError
from mozregression.json_pushes import JsonPushes
from mozregression.log import init_logger

init_logger(debug=False, allow_color=False, output=sys.stderr)  # as mozregression's main does

url, head, first, last, day = sys.argv[1:]
jp = JsonPushes()
jp.repo_url = url.rstrip("/")
out = {
    "changed_files": sorted(get_changed_files(url, head)),
    "pushes": [[int(p.push_id), p.changesets] for p in jp.pushes_within_changes(first, last)],
    "by_date": [p.changeset for p in jp.pushes_within_changes(
        datetime.date.fromisoformat(day), datetime.date.fromisoformat(day))],
    "push_of_first": jp.push(first).changeset,
}
try:
    jp.pushes(changeset="0123456789ab")
    out["unknown"] = "found"
except EmptyPushlogError as e:
    out["unknown"] = "EmptyPushlogError"
print(json.dumps(out))
)PY";

TEST(HgmoApiE2E, TaskgraphAndMozregressionGetTheirDataFromEveryMirror) {
  std::string python = ClientsPython();
  ASSERT_EQ(Sh(python + " -c 'import taskgraph, mozregression'").exit_code, 0)
      << python << " cannot import the clients: run scripts/install-pyclients.sh";
  Cluster c;
  ScratchDir work;
  std::string day_before = Sh("date -u +%Y-%m-%d").out.substr(0, 10);
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  auto commit = [&](const std::string& file, const std::string& message) {
    std::string path = client + "/" + file;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::app) << message << "\n";
    auto r = c.Hg(fmt::format("-R {} commit -qA -m '{}'", client, message));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  auto node = [&](const std::string& rev) {
    return c.Hg("-R " + client + " log -r '" + rev + "' -T '{node}'").out;
  };
  commit("README", "Bug 1000001 - Start r=alice");
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);  // push 1
  commit("dom/base/a.cpp", "Bug 1000002 - Part 1: change a r=bob");
  commit("layout/b file.h", "Bug 1000002 - Part 2: change b r=bob,carol");
  commit("dom/base/a.cpp", "Bug 1000002 - Part 3: a again r=bob");
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);  // push 2
  std::string part2 = node("tip~1");
  commit("README",
         "Backed out changeset " + node("tip").substr(0, 12) + " (bug 1000002) for bustage");
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);  // push 3
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  std::vector<std::string> nodes;
  for (int r = 0; r < 5; ++r) nodes.push_back(node(std::to_string(r)));
  std::string today = Sh("date -u +%Y-%m-%d").out.substr(0, 10);

  auto status = c.Status();
  ASSERT_EQ(status["mirrors"].size(), 2u);
  for (const auto& mirror : status["mirrors"]) {
    std::string url = mirror["http"].get<std::string>() + "repo";
    SCOPED_TRACE(url);
    std::ofstream(work / "clients.py") << kClientScript;
    auto run = Sh(fmt::format("cd {} && {} {} {} {} {} {} {}", client, python, work / "clients.py",
                              url, part2, nodes[1], nodes[4], today),
                  {{"NO_PROXY", "*"}, {"no_proxy", "*"}});
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    nlohmann::json got = nlohmann::json::parse(run.out);
    // Parts 1 and 2 of push 2: what automation builds and tests.
    EXPECT_EQ(got["changed_files"], nlohmann::json({"dom/base/a.cpp", "layout/b file.h"}));
    EXPECT_EQ(got["pushes"],
              nlohmann::json::parse(fmt::format(R"([[2, ["{}", "{}", "{}"]], [3, ["{}"]]])",
                                                nodes[1], nodes[2], nodes[3], nodes[4])));
    // Every push happened today (UTC), unless the test ran across midnight.
    if (day_before == today) {
      EXPECT_EQ(got["by_date"], nlohmann::json({nodes[0], nodes[3], nodes[4]}));
    }
    EXPECT_EQ(got["push_of_first"], nodes[3]);
    EXPECT_EQ(got["unknown"], "EmptyPushlogError");
  }

  // The backout names what it backs out; its target knows who backed it out.
  httplib::Client web("127.0.0.1", status["mirrors"][1]["http_port"].get<int>());
  auto backout = web.Get(("/repo/json-automationrelevance/" + nodes[4]).c_str());
  ASSERT_TRUE(backout);
  ASSERT_EQ(backout->status, 200) << backout->body;
  auto body = nlohmann::json::parse(backout->body);
  EXPECT_EQ(body["changesets"][0]["backsoutnodes"][0]["node"], nodes[3]);
  EXPECT_EQ(body["changesets"][0]["bugs"][0]["no"], "1000002");
  auto target = web.Get(("/repo/json-automationrelevance/" + nodes[3] + "?backouts=1").c_str());
  ASSERT_TRUE(target);
  EXPECT_EQ(nlohmann::json::parse(target->body)["changesets"][2]["backedoutby"], nodes[4]);

  // hgweb's JSON pages carry the push and the changeset's relations as
  // hg.mozilla.org's do (the code-coverage bot reads json-rev's pushid).
  auto pushes = web.Get(("/repo/json-pushes?changeset=" + nodes[3]).c_str());
  ASSERT_TRUE(pushes);
  auto push2 = nlohmann::json::parse(pushes->body)["2"];
  auto rev = web.Get(("/repo/json-rev/" + nodes[3]).c_str());
  ASSERT_TRUE(rev);
  ASSERT_EQ(rev->status, 200) << rev->body;
  auto cs = nlohmann::json::parse(rev->body);
  EXPECT_EQ(cs["pushid"], 2);
  EXPECT_EQ(cs["pushuser"], push2["user"]);
  EXPECT_EQ(cs["pushdate"], nlohmann::json::array({push2["date"], 0}));
  EXPECT_EQ(cs["backedoutby"], nodes[4]) << "as json-automationrelevance says";
  EXPECT_EQ(cs["children"], nlohmann::json::array({nodes[4]}));
  EXPECT_EQ(cs["parents"], nlohmann::json::array({nodes[2]}));
  EXPECT_EQ(cs["landingsystem"], nullptr);
  EXPECT_EQ(cs["git_commit"], nullptr);
  std::vector<std::string> keys;
  for (const auto& [k, v] : cs.items()) keys.push_back(k);
  for (const char* k : {"node", "date", "desc", "backedoutby", "branch", "bookmarks", "tags",
                        "user", "parents", "children", "files", "diff", "phase", "pushid",
                        "pushdate", "pushuser", "landingsystem", "git_commit"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
  }
  auto not_backed_out =
      nlohmann::json::parse(web.Get(("/repo/json-rev/" + nodes[2]).c_str())->body);
  EXPECT_EQ(not_backed_out["backedoutby"], "");
  auto styled = web.Get(("/repo/rev/" + nodes[3] + "?style=json").c_str());
  ASSERT_TRUE(styled);
  EXPECT_EQ(nlohmann::json::parse(styled->body), cs);
  auto log = web.Get("/repo/json-log");
  ASSERT_TRUE(log);
  auto entries = nlohmann::json::parse(log->body)["changesets"];
  ASSERT_EQ(entries.size(), 5u) << log->body;
  EXPECT_EQ(entries[0]["node"], nodes[4]);
  EXPECT_EQ(entries[0]["pushid"], 3);
  EXPECT_EQ(entries[4]["pushid"], 1);
  EXPECT_EQ(entries[4]["pushdate"][1], 0);

  // Bug numbers link to Bugzilla in the HTML pages.
  auto page = web.Get(("/repo/rev/" + nodes[1]).c_str());
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("<a href=\"https://bugzilla.mozilla.org/show_bug.cgi?id=1000002\">"
                            "Bug 1000002</a>"),
            std::string::npos)
      << page->body;

  // The changeset page names its push and its backout.
  EXPECT_NE(page->body.find("<td class=\"push\"><a href=\"/repo/pushloghtml?changeset=" +
                            nodes[1].substr(0, 12) + "\">push 2</a> by "),
            std::string::npos)
      << page->body;
  auto backed = web.Get(("/repo/rev/" + nodes[3]).c_str());
  ASSERT_TRUE(backed);
  EXPECT_NE(backed->body.find("<td class=\"backedoutby\"><a href=\"/repo/rev/" +
                              nodes[4].substr(0, 12) + "\">"),
            std::string::npos)
      << backed->body;
  // pushloghtml: the paper style sheet (served by the workers), bug links.
  auto pushlog = web.Get("/repo/pushloghtml");
  ASSERT_TRUE(pushlog);
  EXPECT_NE(pushlog->body.find("href=\"http://"), std::string::npos);
  EXPECT_NE(pushlog->body.find("static/style-paper.css"), std::string::npos) << pushlog->body;
  EXPECT_NE(pushlog->body.find("<a href=\"https://bugzilla.mozilla.org/show_bug.cgi?id=1000002\">"
                               "Bug 1000002</a>"),
            std::string::npos)
      << pushlog->body;
  auto css = web.Get("/repo/static/style-paper.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);
  EXPECT_EQ(css->get_header_value("Content-Type").rfind("text/css", 0), 0u);

  // The pushlog wire commands, for clients with the pushlog extension.
  auto caps = web.Get("/repo?cmd=capabilities");
  ASSERT_TRUE(caps);
  EXPECT_NE(caps->body.find("pushlog-stream"), std::string::npos) << caps->body;
  std::string push3 =
      fmt::format("3 {} {} {}", push2["user"].get<std::string>(),
                  nlohmann::json::parse(web.Get("/repo/json-pushes?startID=2")->body)["3"]["date"]
                      .get<int64_t>(),
                  nodes[4]);
  auto wire = web.Get("/repo?cmd=pushlog&firstpush=2");
  ASSERT_TRUE(wire);
  EXPECT_EQ(wire->status, 200);
  EXPECT_EQ(wire->body,
            fmt::format("1\n2 {} {} {} {} {}\n{}", push2["user"].get<std::string>(),
                        push2["date"].get<int64_t>(), nodes[1], nodes[2], nodes[3], push3));
  auto stream = web.Get("/repo?cmd=pushlog-stream&firstpush=3");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->body, push3 + "\nok\n");
  EXPECT_EQ(web.Get("/repo?cmd=pushlog&firstpush=x")->body.substr(0, 2), "0\n");
}

// Release tags (FIREFOX_..._RELEASE) name pushes as changesets do:
// json-pushes resolves a global tag in changeset=, fromchange= and tochange=
// on every mirror, lists it in full=1 output, and mozregression finds the
// push of a tag. A tag moved by a later push resolves to its new target.
TEST(HgmoApiE2E, GlobalTagsResolveInJsonPushesOnEveryMirror) {
  std::string python = ClientsPython();
  ASSERT_EQ(Sh(python + " -c 'import mozregression'").exit_code, 0)
      << python << " cannot import the clients: run scripts/install-pyclients.sh";
  Cluster c;
  ScratchDir work;
  std::string client = work / "client";
  c.CreateRepo("repo");
  ASSERT_EQ(c.Hg("init " + client).exit_code, 0);
  auto hg = [&](const std::string& args) {
    auto r = c.Hg("-R " + client + " " + args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return r.out;
  };
  hg("debugbuilddag '+2'");
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);  // push 1: revisions 0, 1
  hg("up -q 1");
  hg("tag -q -r 0 FIREFOX_1_0_RELEASE");
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);  // push 2: the tagging changeset
  std::string rev0 = hg("log -r 0 -T '{node}'");
  // WaitConverged's hg commands on the mirrors may compute the tags (and
  // write hg's cache of them): after push 3 only the consumers may, so
  // from here the mirrors are watched over HTTP alone.
  ASSERT_TRUE(c.WaitConverged("repo")) << c.Explain("repo");
  hg("tag -q -f -r 1 FIREFOX_1_0_RELEASE");
  ASSERT_EQ(c.Push(client, "repo").exit_code, 0);  // push 3: the tag moves to revision 1
  std::string rev1 = hg("log -r 1 -T '{node}'"), moved = hg("log -r tip -T '{node}'");

  std::ofstream(work / "tag.py")
      << "import sys\n"
         "from mozregression.json_pushes import JsonPushes\n"
         "from mozregression.log import init_logger\n"
         "init_logger(debug=False, allow_color=False, output=sys.stderr)\n"
         "jp = JsonPushes()\n"
         "jp.repo_url = sys.argv[1].rstrip('/')\n"
         "print(jp.push(sys.argv[2]).push_id)\n";
  auto status = c.Status();
  ASSERT_EQ(status["mirrors"].size(), 2u);
  for (const auto& mirror : status["mirrors"]) {
    SCOPED_TRACE(mirror["name"].get<std::string>());
    httplib::Client web("127.0.0.1", mirror["http_port"].get<int>());
    ASSERT_TRUE(WaitFor([&] {
      auto r = web.Get(("/repo/json-pushes?changeset=" + moved).c_str());
      return r && r->status == 200;
    })) << "push 3 never served";
    auto get = [&](const std::string& query) {
      auto r = web.Get(("/repo/json-pushes?" + query).c_str());
      EXPECT_TRUE(r) << query;
      EXPECT_EQ(r ? r->status : 0, 200) << query << "\n" << (r ? r->body : "");
      return r && r->status == 200 ? nlohmann::json::parse(r->body) : nlohmann::json();
    };
    auto by_tag = get("changeset=FIREFOX_1_0_RELEASE");
    EXPECT_EQ(by_tag.size(), 1u) << by_tag;
    EXPECT_TRUE(by_tag.contains("1")) << "revision 1, where the tag points now: " << by_tag;
    auto from = get("fromchange=FIREFOX_1_0_RELEASE");
    EXPECT_EQ(from.size(), 2u) << "pushes 2 and 3: " << from;
    // Without a start, json-pushes gives the last 10 pushes whatever the end
    // (as hg.mozilla.org does): the end bound counts from a start.
    auto to = get("startID=0&tochange=FIREFOX_1_0_RELEASE");
    EXPECT_EQ(to.size(), 1u) << "push 1: " << to;
    auto full = get("version=2&full=1&startID=0&endID=1");
    auto changesets = full["pushes"]["1"]["changesets"];
    ASSERT_EQ(changesets.size(), 2u) << full;
    EXPECT_EQ(changesets[0]["node"], rev0);
    EXPECT_EQ(changesets[0]["tags"], nlohmann::json::array());
    EXPECT_EQ(changesets[1]["node"], rev1);
    EXPECT_EQ(changesets[1]["tags"], nlohmann::json::array({"FIREFOX_1_0_RELEASE"}));
    auto tip = get("version=2&full=1&changeset=" + moved);
    EXPECT_EQ(tip["pushes"]["3"]["changesets"][0]["tags"], nlohmann::json::array({"tip"}));
    auto unknown = web.Get("/repo/json-pushes?changeset=FIREFOX_2_0_RELEASE");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << unknown->body;

    auto run = Sh(fmt::format("{} {} {}repo FIREFOX_1_0_RELEASE", python, work / "tag.py",
                              mirror["http"].get<std::string>()),
                  {{"NO_PROXY", "*"}, {"no_proxy", "*"}});
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_EQ(run.out, "1\n");
  }
}

}  // namespace
}  // namespace hgc::test
