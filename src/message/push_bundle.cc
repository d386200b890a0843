#include "message/push_bundle.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>

#include "common/digest.h"
#include "common/error.h"

namespace hgc {
namespace {

[[noreturn]] void BadBundle(const std::string& what) {
  throw Error(ErrorKind::kMalformed, "hg-changegroup-2: field 'bundle' " + what +
                                         "; the mirror pulls from the leader instead");
}

uint32_t BigEndian32(std::string_view data, size_t at) {
  return (uint32_t{static_cast<uint8_t>(data[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(data[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(data[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(data[at + 3])};
}

// The bundle comes from the log, not from the leader: it may hold only what
// a push brings (no stream clone, no obsolescence markers, no compression),
// so a forged event cannot make `hg unbundle` do more than a push would.
// bundle2: "HG20", i32 stream-parameter size (0 here), then parts: i32
// header size (0 ends the bundle), header (u8 type size, type, u32 id, u8
// mandatory and u8 advisory parameter counts, their u8 size pairs, the
// bytes), payload chunks of i32 size (0 ends the part; negative: refused).
void CheckParts(std::string_view b) {
  size_t at = 0;
  auto need = [&](size_t n, const char* what) {
    if (b.size() - at < n) BadBundle(fmt::format("data is cut short in {}", what));
  };
  need(8, "the header");
  if (b.substr(0, 4) != "HG20") BadBundle("data is not an HG20 bundle");
  if (BigEndian32(b, 4) != 0) BadBundle("data has stream parameters (compression?)");
  at = 8;
  while (true) {
    need(4, "a part header size");
    uint32_t header = BigEndian32(b, at);
    at += 4;
    if (header == 0) break;
    if (header > 0x7fffffff) BadBundle("data has a negative part header size");
    need(header, "a part header");
    std::string_view h = b.substr(at, header);
    at += header;
    if (h.empty() || h.size() < 1u + static_cast<uint8_t>(h[0]))
      BadBundle("data has a bad part header");
    std::string type(h.substr(1, static_cast<uint8_t>(h[0])));
    for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (type != "changegroup" && type != "phase-heads" && type != "bookmarks") {
      BadBundle(fmt::format("data holds a '{}' part (only changegroup, phase-heads and bookmarks)",
                            type));
    }
    while (true) {
      need(4, "a chunk size");
      uint32_t chunk = BigEndian32(b, at);
      at += 4;
      if (chunk == 0) break;
      if (chunk > 0x7fffffff) BadBundle("data has an interrupted or negative chunk");
      need(chunk, "a chunk");
      at += chunk;
    }
  }
  if (at != b.size())
    BadBundle(fmt::format("data has {} bytes after the end of the bundle", b.size() - at));
}

}  // namespace

nlohmann::json EncodePushBundle(std::string_view bundle) {
  return {{"type", "HG20"},
          {"size", static_cast<int64_t>(bundle.size())},
          {"sha256", Sha256Hex(bundle)},
          {"data", Base64Encode(bundle)}};
}

int64_t EncodedPushBundleSize(int64_t bundle_bytes) { return 4 * ((bundle_bytes + 2) / 3) + 160; }

nlohmann::json EncodePushBundleRef(std::string_view bundle) {
  std::string sha = Sha256Hex(bundle);
  return {{"type", "HG20"},
          {"size", static_cast<int64_t>(bundle.size())},
          {"sha256", sha},
          {"name", PushBundleName(sha)}};
}

std::string PushBundleName(const std::string& sha256) { return sha256 + ".hg"; }

void CheckPushBundle(std::string_view bytes, const PushBundleRef& ref) {
  if (static_cast<int64_t>(bytes.size()) != ref.size) {
    BadBundle(fmt::format("data is {} bytes, not the {} it announces", bytes.size(), ref.size));
  }
  if (Sha256Hex(bytes) != ref.sha256) BadBundle("data does not match its sha256");
  CheckParts(bytes);
}

std::optional<PushBundle> DecodePushBundle(const nlohmann::json& body) {
  auto it = body.find("bundle");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) BadBundle("is not an object");
  const auto& b = *it;
  if (b.value("type", nlohmann::json()) != "HG20") BadBundle("has no type \"HG20\"");
  auto size = b.find("size");
  if (size == b.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
    BadBundle("has no size");
  }
  auto sha = b.find("sha256");
  if (sha == b.end() || !sha->is_string() || sha->get<std::string>().size() != 64 ||
      sha->get<std::string>().find_first_not_of("0123456789abcdef") != std::string::npos) {
    BadBundle("has no sha256 (64 lowercase hex digits)");
  }
  PushBundle out;
  out.ref = {sha->get<std::string>(), size->get<int64_t>()};
  auto data = b.find("data");
  auto name = b.find("name");
  if (data != b.end()) {
    if (!data->is_string()) BadBundle("has data that is not a string");
    auto bytes = Base64Decode(data->get<std::string>());
    if (!bytes) BadBundle("data is not base64");
    CheckPushBundle(*bytes, out.ref);
    out.data = std::move(*bytes);
  } else if (name != b.end()) {
    // A file of the bundle store: its name is its checksum, nothing else
    // (no directory, no other file of the store).
    if (!name->is_string() || name->get<std::string>() != PushBundleName(out.ref.sha256)) {
      BadBundle("names a file of the bundle store other than <sha256>.hg");
    }
  } else {
    BadBundle("has neither data nor a name");
  }
  return out;
}

}  // namespace hgc
