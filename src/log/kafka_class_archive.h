// Class-data sharing for kafka-local's JVMs. A broker loads and verifies some
// ten thousand classes at every start; an archive of them (Java's dynamic CDS
// archive, ~50 MB), written once per Kafka install and java, is mapped by
// every later broker and tool JVM instead: about a third less CPU per start
// (docs/benchmarks.md, "Kafka JVM starts").
//
// The archive lives beside the jars (LIBS/.kafka-local-classes-HASH.jsa,
// HASH naming java's real path and modification time), so reinstalling the
// jars or upgrading the JDK leaves it behind and a new one is written. A JVM
// given an archive that does not match its jars or java ignores it quietly;
// a truncated one would crash it, so an archive only appears, by rename, once
// the JVM that wrote it has exited cleanly.
// Thread-safety: process-level (files); concurrent writers each write their
// own temporary file and rename it, the last one wins.
#pragma once

#include <string>
#include <vector>

namespace hgc {

// Where the archive for `java` and the jars in `libs` is or would be.
std::string KafkaClassArchivePath(const std::string& java, const std::string& libs);

// The JVM options that map the archive when it exists, else none.
std::vector<std::string> KafkaClassArchiveOptions(const std::string& java, const std::string& libs);

// Writes the archive if it does not exist and LIBS is writable: starts a
// one-node cluster in a scratch directory whose JVM archives the classes it
// loaded at exit, waits until it serves, stops it and keeps the archive if
// the JVM exited cleanly. Takes a broker's start and stop (~8 s) once.
// Returns whether an archive exists afterwards; a failure only costs speed,
// so it is reported on stderr, never thrown.
bool EnsureKafkaClassArchive(const std::string& java, const std::string& libs);

}  // namespace hgc
