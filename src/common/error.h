// The project's one error style: typed exceptions. Every error carries a kind
// (what class of failure, so callers can decide to retry, park or abort) and a
// message written for the operator: what was wrong and what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace hgc {

enum class ErrorKind {
  kConfig,          // bad or missing configuration; fix the file and restart
  kMalformed,       // a message payload that cannot be decoded
  kUnknownMessage,  // a well-formed message of a type we do not know
  kLogUnavailable,  // the replication log cannot be written or read right now
  kHgFailed,        // an hg command exited non-zero
  kIo,              // filesystem / OS error
  kUsage,           // bad command line
  kNotFound,        // a thing that should exist does not
  kNotMaster,       // this host does not hold the master role (or its lease ran out)
  kRefused,         // input we will not act on (a path outside its root); never retried
  kTooLarge,        // a value bigger than the log takes in one record; never retried
};

const char* ErrorKindName(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace hgc
