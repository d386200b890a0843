// JSON as Mercurial's template `json` filter writes it (templatefilters.json
// with paranoid=True, the default in web templates): keys sorted as byte
// strings, ", " and ": " separators, strings escaped to pure ASCII with '<'
// and '>' as \u003c/\u003e, non-ASCII as lowercase \uXXXX (UTF-16 surrogate
// pairs above the BMP) and bytes that are not UTF-8 as \udcXX (UTF-8b).
// This is what makes json-pushes byte-identical to the reference.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

// The quoted JSON string for `bytes`.
std::string HgJsonString(std::string_view bytes);
// Appends HgJsonString(bytes) to `out`.
void AppendHgJsonString(std::string& out, std::string_view bytes);

}  // namespace hgc
