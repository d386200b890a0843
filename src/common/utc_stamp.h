// A compact UTC timestamp for names of things set aside (retired
// repositories, a reset log): "20261124T231500Z", sortable as text.
// Thread-safety: safe from any thread.
#pragma once

#include <string>

namespace hgc {

std::string UtcStamp();

}  // namespace hgc
