#include "common/stop_signal.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace hgc {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
std::atomic<int> g_count{0};
const char* g_second_line = nullptr;
size_t g_second_line_size = 0;

void OnStopSignal(int sig) {
  g_signal = sig;
  if (g_count.fetch_add(1) >= 1 && g_second_line) {
    // write() and _exit() are async-signal-safe; logging is not.
    ssize_t ignored = write(STDOUT_FILENO, g_second_line, g_second_line_size);
    (void)ignored;
    _exit(1);
  }
  g_stop = true;
}

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the stop flag is set from a signal handler");

}  // namespace

void InstallStopSignals(const char* second_signal_line) {
  g_second_line = second_signal_line;
  g_second_line_size = second_signal_line ? std::strlen(second_signal_line) : 0;
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

std::atomic<bool>& StopRequested() { return g_stop; }

int StopSignal() { return g_signal.load(); }

}  // namespace hgc
