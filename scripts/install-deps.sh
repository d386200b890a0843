#!/bin/sh
# Installs what hgcluster needs to build, run and test: Debian 12's packages,
# then Apache Kafka's jars from Maven Central (scripts/install-kafka.sh, for
# `hgcluster kafka-local` and the tests on real brokers) and our users' Python
# client libraries from PyPI (scripts/install-pyclients.sh, for the tests of
# the web API). Chromium is for the test that loads the mirrors' pages in a
# browser (tests/hgweb_theme_e2e_test.cc). Safe to run again: apt-get skips what is already there, the
# two others what is in their cache.
set -eu
PKGS="build-essential cmake ninja-build pkg-config git
  mercurial
  librdkafka-dev libsqlite3-dev libssl-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev
  librabbitmq-dev rabbitmq-server libcurl4-openssl-dev libzstd-dev zlib1g-dev
  libcpp-httplib-dev libboost1.81-dev wrk
  e2fsprogs procps sqlite3
  openssh-server openssh-client slapd ldap-utils libldap-dev
  zookeeper libzookeeper-mt-dev libslf4j-java
  maven openjdk-17-jre-headless
  python3-venv file iproute2
  chromium"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
"$(dirname "$0")/install-kafka.sh"
"$(dirname "$0")/install-pyclients.sh"
