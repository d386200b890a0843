#include "master/epoch_counter.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/error.h"

namespace hgc {

int64_t NextEpoch(const std::string& counter_file) {
  int fd = open(counter_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
  if (fd < 0) {
    throw Error(ErrorKind::kIo, fmt::format("cannot open the master epoch counter {}: {}",
                                            counter_file, strerror(errno)));
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  if (flock(fd, LOCK_EX) != 0) {
    throw Error(ErrorKind::kIo,
                fmt::format("cannot lock {}: {}", counter_file, strerror(errno)));
  }
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  int64_t epoch = n > 0 ? std::strtoll(buf, nullptr, 10) : 0;
  ++epoch;
  std::string text = std::to_string(epoch) + "\n";
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
      fsync(fd) != 0) {
    throw Error(ErrorKind::kIo,
                fmt::format("cannot write {}: {}", counter_file, strerror(errno)));
  }
  return epoch;
}

}  // namespace hgc
