// The pushlog's web views rendered from a PushQueryResult, byte for byte as
// the reference's templates do where clients parse them: json-pushes v1/v2
// (with `full`, `tipsonly`, `obsoletechangesets`, `git_changesets`), the
// JSON error body, the Atom feed and the pushloghtml page.
// Thread-safety: pure functions (ServedRepo's caches lock themselves).
#pragma once

#include <string>

#include "pushlog/push_query.h"
#include "pushlog/served_repo.h"

namespace hgc {

std::string RenderJsonPushes(const PushQuery& query, const PushQueryResult& result,
                             const ServedRepo& repo);

// {\n"error": "<message>"\n}
std::string RenderJsonError(const std::string& message);

// `base_url` ends with '/'; `repo_name` is the URL path of the repository.
std::string RenderAtomFeed(const PushQueryResult& result, const ServedRepo& repo,
                           const std::string& base_url, const std::string& repo_name, double now);

std::string RenderPushlogHtml(const PushQuery& query, const PushQueryResult& result,
                              const ServedRepo& repo, const std::string& base_url,
                              const std::string& repo_name);

std::string XmlEscape(const std::string& text);

}  // namespace hgc
