// Ports for the servers we start on 127.0.0.1 (hg serve, sshd, the web
// front, Kafka, RabbitMQ, slapd). Picked below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range), so that no outgoing connection of any
// process takes one as its source port between our pick and the server's
// bind, as a port from bind(0) can be (that made an `up`'s pull endpoint fail
// with "Address already in use" while other clusters ran beside it); random,
// so runs in parallel rarely pick the same; bindable when picked.
// Thread-safety: safe to call from any thread.
#pragma once

#include <vector>

namespace hgc {

// The lowest port of the ephemeral range (32768 when it cannot be read).
int LowestEphemeralPort();

// Whether a TCP socket can bind 127.0.0.1:port right now.
bool LoopbackPortBindable(int port);

// Whether a server accepts connections on 127.0.0.1:port right now.
bool LoopbackPortAccepts(int port);

// `count` distinct ports; throws Error(kIo) when it cannot find them.
std::vector<int> PickLoopbackPorts(int count);
int PickLoopbackPort();

}  // namespace hgc
