#include "common/repo_command.h"

namespace hgc {

void RepoCommands::Register(std::string command, RepoCommandHandler handler) {
  handlers_[std::move(command)] = std::move(handler);
}

const RepoCommandHandler* RepoCommands::Find(std::string_view command) const {
  auto it = handlers_.find(command);
  return it == handlers_.end() ? nullptr : &it->second;
}

}  // namespace hgc
