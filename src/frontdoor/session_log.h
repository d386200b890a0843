// One start and one end line per SSH session, as the reference's
// pash_wrapper logs to syslog (hosting spec §4.2), appended to a file
// (`[frontdoor] session_log`, ROOT/leader/ssh/sessions.log):
//   <UTC time> pash_wrapper[<pid>]: start user: '<USER>; ssh_command: '<cmd>'; connection: '<conn>'
//   <UTC time> pash_wrapper[<pid>]: end user: ...; ec: '<exit code>'
// (the unbalanced quote after the user is the reference's). Control
// characters, backslashes and quotes in the fields are escaped.
// Thread-safety: each line is one O_APPEND write; safe across processes.
#pragma once

#include <string>

namespace hgc {

class SessionLog {
 public:
  // Empty `path`: logs nothing.
  SessionLog(std::string path, const std::string& user, const std::string& command,
             const std::string& connection);
  void Start() const;
  void End(int exit_code) const;

 private:
  void Write(const std::string& line) const;
  std::string path_;
  std::string fields_;
};

}  // namespace hgc
