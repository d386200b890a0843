#include "common/error.h"

namespace hgc {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConfig:
      return "ConfigError";
    case ErrorKind::kMalformed:
      return "MalformedMessage";
    case ErrorKind::kUnknownMessage:
      return "UnknownMessageType";
    case ErrorKind::kLogUnavailable:
      return "LogUnavailable";
    case ErrorKind::kHgFailed:
      return "CommandError";
    case ErrorKind::kIo:
      return "IOError";
    case ErrorKind::kUsage:
      return "UsageError";
    case ErrorKind::kNotFound:
      return "NotFound";
    case ErrorKind::kNotMaster:
      return "NotMaster";
    case ErrorKind::kRefused:
      return "Refused";
    case ErrorKind::kTooLarge:
      return "TooLarge";
  }
  return "Error";
}

}  // namespace hgc
