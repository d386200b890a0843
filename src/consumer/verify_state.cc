#include "consumer/verify_state.h"

#include <fmt/format.h>

#include <filesystem>

#include "common/error.h"
#include "hg/repo_state.h"

namespace hgc {

std::string VerifyStateFile(const std::string& state_dir, const std::string& group) {
  return fmt::format("{}/verify-{}.json", state_dir, group);
}

nlohmann::json VerifyResultToJson(const VerifyResult& r) {
  return {{"partition", r.partition}, {"offset", r.offset},     {"at", r.at},
          {"result", r.result},       {"differences", r.differences}};
}

std::string FormatVerifyState(const VerifyState& state) {
  nlohmann::json repos = nlohmann::json::object();
  for (const auto& [repo, r] : state) repos[repo] = VerifyResultToJson(r);
  return nlohmann::json{{"repos", repos}}.dump(2) + "\n";
}

VerifyState ParseVerifyState(const std::string& text) {
  VerifyState state;
  try {
    auto json = nlohmann::json::parse(text);
    if (!json.is_object()) throw Error(ErrorKind::kMalformed, "not a JSON object");
    const nlohmann::json repos = json.value("repos", nlohmann::json::object());
    if (!repos.is_object()) throw Error(ErrorKind::kMalformed, "'repos' is not an object");
    for (const auto& [repo, r] : repos.items()) {
      VerifyResult v;
      v.repo = repo;
      v.partition = r.at("partition").get<int>();
      v.offset = r.at("offset").get<int64_t>();
      v.at = r.at("at").get<double>();
      v.result = r.at("result").get<std::string>();
      v.differences = r.value("differences", std::vector<std::string>{});
      state[repo] = std::move(v);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kMalformed, e.what());
  }
  return state;
}

VerifyStateRead ReadVerifyState(const std::string& path) {
  VerifyStateRead read;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return read;
  try {
    read.state = ParseVerifyState(ReadFileOrEmpty(path));
  } catch (const Error& e) {
    read.error = e.what();
  }
  return read;
}

void VerifyRecorder::Record(const VerifyResult& result) {
  std::lock_guard lock(mu_);
  VerifyState state = ReadVerifyState(path_).state;  // a damaged file is started afresh
  state[result.repo] = result;
  WriteFileAtomic(path_, FormatVerifyState(state));
}

}  // namespace hgc
