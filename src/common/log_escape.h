// Text from outside (a repository path from the log, an SSH command, a
// user name, hg's output) made safe to write into a line-oriented log: no
// byte of it can end the line or start one that looks like ours. Control
// characters become \n, \r, \t or \xNN; a backslash is doubled so an
// escape in the input cannot pass for one of ours; each character of
// `also` (a field's quote) gets a backslash. Bytes >= 0x80 are kept (UTF-8
// names stay readable).
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace hgc {

std::string EscapeForLog(std::string_view text, std::string_view also = "");

// Only the control characters escaped (a backslash stays as it is): what
// LogLine does to every message, so one call is always one line.
std::string EscapeControl(std::string_view text);

}  // namespace hgc
