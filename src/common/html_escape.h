// Escaping text for HTML and XML output: & < > " always, and the apostrophe
// as the caller's format writes it (Mercurial's xmlescape: "&#39;", Python's
// html.escape: "&#x27;", or left alone).
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

std::string HtmlEscape(std::string_view text, const char* apostrophe = nullptr);

}  // namespace hgc
