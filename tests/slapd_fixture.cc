#include "slapd_fixture.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "common/loopback_port.h"
#include "hg/repo_state.h"

namespace hgc::test {
namespace {

constexpr const char* kTestSchema =
    "attributetype ( 1.3.6.1.4.1.24552.500.1.1.1.13 NAME 'sshPublicKey'\n"
    "  DESC 'OpenSSH public key' EQUALITY octetStringMatch\n"
    "  SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )\n"
    "objectclass ( 1.3.6.1.4.1.24552.500.1.1.2.0 NAME 'ldapPublicKey' SUP top AUXILIARY\n"
    "  MAY ( sshPublicKey $ uid ) )\n"
    "attributetype ( 1.3.6.1.4.1.32473.1.1 NAME 'hgAccountEnabled'\n"
    "  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )\n"
    "objectclass ( 1.3.6.1.4.1.32473.2.1 NAME 'hgAccount' SUP top AUXILIARY\n"
    "  MAY ( hgAccountEnabled ) )\n";

int FreePort() { return PickLoopbackPort(); }

}  // namespace

std::string LdapPerson(const std::string& mail, const std::vector<std::string>& keys,
                       const std::string& hg_account_enabled) {
  std::string out = "dn: mail=" + mail +
                    ",ou=people,dc=mozilla\n"
                    "objectClass: inetOrgPerson\nobjectClass: ldapPublicKey\n"
                    "objectClass: hgAccount\n"
                    "cn: " +
                    mail + "\nsn: " + mail + "\nmail: " + mail + "\n";
  if (!hg_account_enabled.empty()) out += "hgAccountEnabled: " + hg_account_enabled + "\n";
  for (const auto& k : keys) out += "sshPublicKey: " + k + "\n";
  return out + "\n";
}

std::string LdapGroup(const std::string& cn, int gid, const std::vector<std::string>& members) {
  std::string out = "dn: cn=" + cn + ",ou=groups,dc=mozilla\nobjectClass: posixGroup\ncn: " + cn +
                    "\ngidNumber: " + std::to_string(gid) + "\n";
  for (const auto& m : members) out += "memberUid: " + m + "\n";
  return out + "\n";
}

Slapd::Slapd(const std::string& ldif) {
  std::string d = dir_.path();
  std::filesystem::create_directories(d + "/db");
  WriteFileAtomic(d + "/test.schema", kTestSchema);
  WriteFileAtomic(d + "/slapd.conf",
                  "include /etc/ldap/schema/core.schema\n"
                  "include /etc/ldap/schema/cosine.schema\n"
                  "include /etc/ldap/schema/inetorgperson.schema\n"
                  "include /etc/ldap/schema/nis.schema\n"
                  "include " +
                      d +
                      "/test.schema\n"
                      "pidfile " +
                      d +
                      "/slapd.pid\n"
                      "modulepath /usr/lib/ldap\n"
                      "moduleload back_mdb\n"
                      "database mdb\n"
                      "suffix \"dc=mozilla\"\n"
                      "rootdn \"cn=admin,dc=mozilla\"\n"
                      "rootpw secret\n"
                      "directory " +
                      d +
                      "/db\n"
                      "maxsize 10485760\n");
  WriteFileAtomic(d + "/data.ldif",
                  "dn: dc=mozilla\nobjectClass: dcObject\nobjectClass: organization\n"
                  "dc: mozilla\no: mozilla\n\n"
                  "dn: ou=people,dc=mozilla\nobjectClass: organizationalUnit\nou: people\n\n"
                  "dn: ou=groups,dc=mozilla\nobjectClass: organizationalUnit\nou: groups\n\n" +
                      ldif);
  auto r = Sh("/usr/sbin/slapadd -f " + d + "/slapd.conf -l " + d + "/data.ldif");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  int port = FreePort();
  url_ = "ldap://127.0.0.1:" + std::to_string(port);
  pid_ = fork();
  if (pid_ == 0) {
    std::string log = d + "/slapd.log";
    FILE* f = freopen(log.c_str(), "w", stderr);
    (void)f;
    // -d keeps slapd in the foreground, so its pid is ours to stop.
    execl("/usr/sbin/slapd", "slapd", "-d", "0", "-f", (d + "/slapd.conf").c_str(), "-h",
          url_.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  EXPECT_TRUE(WaitFor([&] { return LoopbackPortAccepts(port); }, std::chrono::seconds(20)))
      << "slapd did not listen on " << url_ << ": " << ReadFileOrEmpty(d + "/slapd.log");
}

Slapd::~Slapd() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(10))) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
}

}  // namespace hgc::test
