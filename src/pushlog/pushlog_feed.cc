// Atom feed and pushloghtml (spec/hosting.md §1.11, §1.12).
#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "common/html_escape.h"
#include "pushlog/commit_message.h"
#include "pushlog/pushlog_views.h"

namespace hgc {
namespace {

std::string UtcIso(double when) {
  std::time_t t = static_cast<std::time_t>(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string LocalIso(double when) {
  std::time_t t = static_cast<std::time_t>(when);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);
  return buf;
}

std::string Basename(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

std::string XmlEscape(const std::string& text) { return HtmlEscape(text, "&#39;"); }

// `text` escaped, its "bug N" mentions linked to Bugzilla (as the mirrors'
// [websub] rule links them in hgweb pages).
std::string EscapeLinkingBugs(const std::string& text) {
  std::string out;
  size_t at = 0;
  for (const auto& bug : FindBugMentions(text)) {
    out += XmlEscape(text.substr(at, bug.begin - at));
    out += fmt::format("<a href=\"https://bugzilla.mozilla.org/show_bug.cgi?id={}\">{}</a>",
                       bug.number, XmlEscape(text.substr(bug.begin, bug.end - bug.begin)));
    at = bug.end;
  }
  return out + XmlEscape(text.substr(at));
}

std::string RenderAtomFeed(const PushQueryResult& result, const ServedRepo& repo,
                           const std::string& base_url, const std::string& repo_name, double now) {
  std::string url = base_url + repo_name + "/";
  std::string entries;
  std::string updated;
  for (const auto& push : result.pushes) {
    for (int rev : push.revs) {
      if (repo.IsHidden(rev)) continue;
      if (updated.empty()) updated = UtcIso(static_cast<double>(push.date));
      std::string node = repo.index().NodeHex(rev);
      auto cs = repo.ChangesetAt(rev);
      std::string files;
      for (const auto& f : cs->files) files += "   <li class=\"file\">" + XmlEscape(f) + "</li>\n";
      entries += fmt::format(
          " <entry>\n"
          "  <title>Changeset {0}</title>\n"
          "  <id>{1}#changeset-{0}</id>\n"
          "  <link href=\"{1}rev/{0}\"/>\n"
          "  <updated>{2}</updated>\n"
          "  <author>\n   <name>{3}</name>\n  </author>\n"
          "  <content type=\"xhtml\">\n"
          "   <div xmlns=\"http://www.w3.org/1999/xhtml\">\n"
          "    <ul class=\"filelist\">\n{4}    </ul>\n"
          "   </div>\n"
          "  </content>\n"
          " </entry>\n",
          node, url, UtcIso(static_cast<double>(push.date)), XmlEscape(push.user), files);
    }
  }
  if (updated.empty()) updated = UtcIso(now);
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
      " <id>{0}pushlog</id>\n"
      " <link rel=\"self\" href=\"{0}pushlog\"/>\n"
      " <link rel=\"alternate\" href=\"{0}pushloghtml\"/>\n"
      " <title>{1} Pushlog</title>\n"
      " <updated>{2}</updated>\n"
      "{3}"
      "</feed>\n",
      url, XmlEscape(Basename(repo_name)), updated, entries);
}

std::string RenderPushlogHtml(const PushQuery& query, const PushQueryResult& result,
                              const ServedRepo& repo, const std::string& base_url,
                              const std::string& repo_name) {
  std::string url = base_url + repo_name + "/";
  std::string description;
  if (!query.count_mode()) {
    std::vector<std::string> bits;
    switch (query.start) {
      case PushQuery::Bound::kDate:
        bits.push_back("after " + LocalIso(query.start_date));
        break;
      case PushQuery::Bound::kChangeset:
        bits.push_back("after changeset " + query.start_raw);
        break;
      case PushQuery::Bound::kPushId:
        bits.push_back("after push ID " + query.start_raw);
        break;
      case PushQuery::Bound::kNone:
        break;
    }
    switch (query.end) {
      case PushQuery::Bound::kDate:
        bits.push_back("before " + LocalIso(query.end_date));
        break;
      case PushQuery::Bound::kChangeset:
        bits.push_back("up to and including changeset " + query.end_raw);
        break;
      case PushQuery::Bound::kPushId:
        bits.push_back("up to and including push ID " + query.end_raw);
        break;
      case PushQuery::Bound::kNone:
        break;
    }
    auto join = [](const std::vector<std::string>& v, const char* sep) {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
      return s;
    };
    if (!query.users.empty()) bits.push_back("by user " + join(query.users, " or "));
    if (!query.changesets.empty()) {
      bits.push_back("with changeset " + join(query.changesets, " and "));
    }
    description = "Changes pushed " + join(bits, ", ");
  }
  std::string rows;
  int parity = 1;
  for (const auto& push : result.pushes) {
    parity ^= 1;
    std::vector<int> shown;
    for (int rev : push.revs) {
      if (!repo.IsHidden(rev)) shown.push_back(rev);
    }
    if (shown.empty()) continue;
    bool merge = repo.index().at(shown.front()).p2 >= 0;
    for (size_t i = 0; i < shown.size(); ++i) {
      int rev = shown[i];
      auto cs = repo.ChangesetAt(rev);
      std::string node = repo.index().NodeHex(rev);
      std::string first_cell;
      if (i == 0) {
        first_cell = fmt::format("<cite>{}<br/><span class=\"date\">{}</span></cite>",
                                 XmlEscape(push.user), LocalIso(static_cast<double>(push.date)));
        if (merge) {
          first_cell += fmt::format(
              "<br/><span class=\"mergerollup\">&larr; {} merge changesets "
              "<a class=\"expand\" href=\"#\">[Collapse]</a></span>",
              shown.size());
        }
      }
      rows += fmt::format(
          "<tr class=\"pushlogentry parity{} {} id{}\"><td>{}</td>"
          "<td class=\"age\"><a href=\"{}rev/{}\">{}</a></td>"
          "<td><strong>{} &mdash; {}</strong>{}</td></tr>\n",
          parity, merge && i > 0 ? "hidden" : "", push.push_id, first_cell, url, node, node,
          XmlEscape(cs->user), EscapeLinkingBugs(FirstLine(cs->description)),
          cs->branch() != "default"
              ? " <span class=\"inbranch\">" + XmlEscape(cs->branch()) + "</span>"
              : "");
    }
  }
  int64_t pages = std::max<int64_t>(
      1,
      static_cast<int64_t>(std::ceil(static_cast<double>(result.total_pushes) / kPushesPerPage)));
  std::string nav;
  if (query.count_mode()) {
    auto link = [&](int64_t page, const std::string& label) {
      nav += fmt::format("<a href=\"{}pushloghtml/{}\">{}</a> ", url, page, label);
    };
    if (query.page != 1) {
      link(1, "First");
      link(query.page - 1, "Prev");
    }
    for (int64_t p = std::max<int64_t>(1, query.page - 5);
         p <= std::min<int64_t>(pages, query.page + 4); ++p) {
      link(p, std::to_string(p));
    }
    if (query.page < pages) {
      link(query.page + 1, "Next");
      link(pages, "Last");
    }
  }
  // The paper style's page layout and style sheet (served by the hg
  // workers under REPO/static/), so the pushlog looks like the pages around
  // it and links to them.
  return fmt::format(
      "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"UTF-8\"/>\n"
      "<link rel=\"icon\" href=\"{1}static/hgicon.png\" type=\"image/png\"/>\n"
      "<link rel=\"stylesheet\" href=\"{1}static/style-paper.css\" type=\"text/css\"/>\n"
      "<title>{0} Pushlog</title>\n"
      "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"{1}pushlog\" "
      "title=\"Atom feed for {0} Pushlog\"/>\n</head>\n<body>\n"
      "<div class=\"container\">\n<div class=\"menu\">\n"
      "<div class=\"logo\"><a href=\"https://mercurial-scm.org/\">"
      "<img src=\"{1}static/hglogo.png\" alt=\"mercurial\"/></a></div>\n"
      "<ul>\n<li><a href=\"{1}shortlog\">log</a></li>\n<li><a href=\"{1}graph\">graph</a></li>\n"
      "<li><a href=\"{1}tags\">tags</a></li>\n<li><a href=\"{1}bookmarks\">bookmarks</a></li>\n"
      "<li><a href=\"{1}branches\">branches</a></li>\n</ul>\n"
      "<ul>\n<li class=\"active\">pushlog</li>\n<li><a href=\"{1}pushlog\">atom</a></li>\n</ul>\n"
      "</div>\n<div class=\"main\">\n"
      "<h2 class=\"breadcrumb\"><a href=\"/\">Mercurial</a> &gt; <a href=\"{1}\">{0}</a></h2>\n"
      "<h3>pushlog</h3>\n"
      "<form class=\"search\" action=\"{1}pushloghtml\">\n"
      "From: <input type=\"text\" name=\"startdate\" value=\"{2}\"/>\n"
      "To: <input type=\"text\" name=\"enddate\" value=\"{3}\"/>\n"
      "<input type=\"submit\" value=\"Search\"/>\n</form>\n"
      "<div class=\"page_header\">{4}</div>\n"
      "<table class=\"bigtable pushlog\">\n<tr><th>User<br/>Push date</th><th>Changeset</th>"
      "<th>Patch author &mdash; Commit message</th></tr>\n{5}</table>\n"
      "<div class=\"page_nav\">{6}</div>\n</div>\n</div>\n</body>\n</html>\n",
      XmlEscape(repo_name), url,
      XmlEscape(query.start == PushQuery::Bound::kDate ? query.start_raw : "1 week ago"),
      XmlEscape(query.end == PushQuery::Bound::kDate ? query.end_raw : "now"),
      XmlEscape(description), rows, nav);
}

}  // namespace hgc
