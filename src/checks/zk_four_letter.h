// A ZooKeeper four-letter-word client ("ruok", "isro", "mntr", "srvr",
// "srst", ...): connect over IPv4 TCP, send exactly the four bytes, read to
// EOF. Sending anything more (a trailing newline) makes the server close with
// unread input, which the kernel turns into a reset that can lose the reply
// (shared/infra.md §2, gotcha 2).
// Thread-safety: each call is independent; safe from several threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace hgc {

// Returns the whole reply. `timeout` bounds the connect and each wait for
// data. Throws Error(kIo) whose message is the socket error the way Python
// words it ("[Errno 111] Connection refused", "timed out"), because
// check_zookeeper prints it after "socket error connecting to HOST: ".
std::string ZkFourLetterWord(const std::string& host, int port, std::string_view word,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace hgc
