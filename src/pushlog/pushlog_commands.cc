#include "pushlog/pushlog_commands.h"

#include <chrono>
#include <map>
#include <memory>

#include "common/clock.h"
#include "common/error.h"
#include "pushlog/push_query.h"
#include "pushlog/pushlog_db.h"
#include "pushlog/pushlog_views.h"
#include "pushlog/served_repo.h"
#include "pushlog/web_handles.h"

namespace hgc {
namespace {

std::string BaseUrl(const RepoRequest& req) {
  std::string base = req.base_url;
  if (base.empty() || base.back() != '/') base += '/';
  return base;
}

void JsonError(RepoResponse& res, int status, const std::string& message) {
  res.status = status;
  res.content_type = "application/json";
  res.body = RenderJsonError(message);
}

template <typename Render>
void Answer(const RepoRequest& req, RepoResponse& res, const char* content_type, Render&& render,
            bool count_total = false) {
  try {
    double now = WallNow();
    PushQuery query = ParsePushQuery(req.query, req.path_arg, now);
    query.count_total = count_total;
    auto repo = SharedServedRepos().Get(req.repo_root);
    PushlogDb* db = ThreadPushlogDb(req.repo_root);
    PushQueryResult result = RunPushQuery(query, db, *repo);
    res.status = 200;
    res.content_type = content_type;
    res.body = render(query, result, *repo, now);
  } catch (const QueryError& e) {
    JsonError(res, e.status(), e.message());
  }
}

void JsonPushes(const RepoRequest& req, RepoResponse& res) {
  Answer(req, res, "application/json",
         [&](const PushQuery& q, const PushQueryResult& r, const ServedRepo& repo, double) {
           return RenderJsonPushes(q, r, repo);
         });
}

void AtomFeed(const RepoRequest& req, RepoResponse& res) {
  Answer(req, res, "application/atom+xml",
         [&](const PushQuery&, const PushQueryResult& r, const ServedRepo& repo, double now) {
           return RenderAtomFeed(r, repo, BaseUrl(req), req.repo_name, now);
         });
}

void PushlogHtml(const RepoRequest& req, RepoResponse& res) {
  Answer(
      req, res, "text/html; charset=UTF-8",
      [&](const PushQuery& q, const PushQueryResult& r, const ServedRepo& repo, double) {
        return RenderPushlogHtml(q, r, repo, BaseUrl(req), req.repo_name);
      },
      /*count_total=*/true);
}

}  // namespace

void RegisterPushlogCommands(RepoCommands& commands) {
  commands.Register("json-pushes", JsonPushes);
  commands.Register("pushlog", AtomFeed);
  commands.Register("atom-pushlog", AtomFeed);
  commands.Register("pushloghtml", PushlogHtml);
}

}  // namespace hgc
