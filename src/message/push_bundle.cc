#include "message/push_bundle.h"

#include <fmt/format.h>

#include "common/digest.h"
#include "common/error.h"

namespace hgc {
namespace {

[[noreturn]] void Bad(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "hg-changegroup-2: field 'bundle' " + what +
                                         "; the mirror pulls from the leader instead");
}

}  // namespace

nlohmann::json EncodePushBundle(std::string_view bundle) {
  return {{"type", "HG20"},
          {"size", static_cast<int64_t>(bundle.size())},
          {"sha256", Sha256Hex(bundle)},
          {"data", Base64Encode(bundle)}};
}

int64_t EncodedPushBundleSize(int64_t bundle_bytes) {
  return 4 * ((bundle_bytes + 2) / 3) + 160;
}

std::optional<std::string> DecodePushBundle(const nlohmann::json& body) {
  auto it = body.find("bundle");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) Bad("is not an object");
  const auto& b = *it;
  if (b.value("type", nlohmann::json()) != "HG20") Bad("has no type \"HG20\"");
  auto size = b.find("size");
  if (size == b.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
    Bad("has no size");
  }
  auto sha = b.find("sha256");
  if (sha == b.end() || !sha->is_string() || sha->get<std::string>().size() != 64) {
    Bad("has no sha256");
  }
  auto data = b.find("data");
  if (data == b.end() || !data->is_string()) Bad("has no data");
  auto bytes = Base64Decode(data->get<std::string>());
  if (!bytes) Bad("data is not base64");
  if (static_cast<int64_t>(bytes->size()) != size->get<int64_t>()) {
    Bad(fmt::format("data is {} bytes, not the {} it announces", bytes->size(),
                    size->get<int64_t>()));
  }
  if (Sha256Hex(*bytes) != sha->get<std::string>()) Bad("data does not match its sha256");
  return bytes;
}

}  // namespace hgc
