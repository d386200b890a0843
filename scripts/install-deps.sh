#!/bin/sh
# Installs what hgcluster needs to build, run and test, from Debian 12's
# packages only. Safe to run again: apt-get skips what is already there.
set -eu
PKGS="build-essential cmake ninja-build pkg-config git
  mercurial
  librdkafka-dev libsqlite3-dev libssl-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev
  librabbitmq-dev rabbitmq-server libcurl4-openssl-dev libzstd-dev zlib1g-dev
  libcpp-httplib-dev wrk
  e2fsprogs procps sqlite3
  openssh-server openssh-client slapd ldap-utils libldap-dev
  zookeeper libzookeeper-mt-dev libslf4j-java"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
