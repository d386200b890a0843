#include "hg/repo_state.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.h"

namespace hgc {

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFileAtomic(const std::string& path, const std::string& content, FileSync sync) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0664);
  if (fd < 0) throw Error(ErrorKind::kIo, fmt::format("cannot write {}: {}", tmp, strerror(errno)));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t w = write(fd, content.data() + done, content.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      throw Error(ErrorKind::kIo, fmt::format("cannot write {}: {}", tmp, strerror(err)));
    }
    done += static_cast<size_t>(w);
  }
  if (sync == FileSync::kDurable && fsync(fd) != 0) {
    int err = errno;
    close(fd);
    throw Error(ErrorKind::kIo, fmt::format("cannot fsync {}: {}", tmp, strerror(err)));
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    throw Error(ErrorKind::kIo,
                fmt::format("cannot rename {} to {}: {}", tmp, path, strerror(errno)));
  }
}

std::map<std::string, std::string> ParseBookmarks(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto sp = line.find(' ');
    if (sp != 40) continue;
    out[line.substr(41)] = line.substr(0, 40);
  }
  return out;
}

std::map<std::string, std::string> ReadBookmarks(const std::string& repo_root) {
  return ParseBookmarks(ReadFileOrEmpty(repo_root + "/.hg/bookmarks"));
}

std::map<int, std::set<std::string>> ParsePhaseRoots(const std::string& text) {
  std::map<int, std::set<std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto sp = line.find(' ');
    if (sp == std::string::npos || line.size() - sp - 1 != 40) continue;
    out[std::atoi(line.substr(0, sp).c_str())].insert(line.substr(sp + 1));
  }
  return out;
}

std::map<int, std::set<std::string>> ReadPhaseRoots(const std::string& repo_root) {
  return ParsePhaseRoots(ReadFileOrEmpty(repo_root + "/.hg/store/phaseroots"));
}

}  // namespace hgc
