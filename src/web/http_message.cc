#include "web/http_message.h"

#include <strings.h>

namespace hgc {

std::string WebRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  }
  return "";
}

WebResponse WebResponse::Text(int status, std::string text, std::string content_type) {
  WebResponse r;
  r.status = status;
  r.body = std::move(text);
  r.content_type = std::move(content_type);
  return r;
}

}  // namespace hgc
