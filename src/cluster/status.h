// `hgcluster status`: what runs, where to push and clone, how far behind each
// mirror is and which repositories are parked (stuck), as text or JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "layout/cluster_layout.h"

namespace hgc {

nlohmann::json ClusterStatus(const ClusterLayout& layout);
std::string FormatStatus(const nlohmann::json& status);

}  // namespace hgc
