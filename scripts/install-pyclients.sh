#!/bin/sh
# Installs the Python client libraries our users run against a mirror
# (tests/clients/requirements.txt: taskgraph, mozregression and everything
# they need, all pinned) from PyPI into a venv outside git:
#   $HGCLUSTER_PYCLIENTS, default ${XDG_CACHE_HOME:-$HOME/.cache}/hgcluster/pyclients
# The end-to-end tests run $HGCLUSTER_PYCLIENTS/bin/python. A no-op when the
# venv already holds exactly this requirements file.
set -eu
cd "$(dirname "$0")/.."
REQS=tests/clients/requirements.txt
VENV="${HGCLUSTER_PYCLIENTS:-${XDG_CACHE_HOME:-$HOME/.cache}/hgcluster/pyclients}"
STAMP="$VENV/.requirements.sha256"
want=$(sha256sum "$REQS" | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
python3 -m venv --help >/dev/null 2>&1 || {
  echo "install-pyclients: python3 -m venv is missing; run scripts/install-deps.sh (python3-venv)" >&2
  exit 1
}
mkdir -p "$(dirname "$VENV")"
echo "install-pyclients: installing $(grep -c '==' "$REQS") pinned packages into $VENV" >&2
# A venv names its own path in its scripts, so it is built where it lives;
# the stamp, written last, marks it complete.
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check --no-input -r "$REQS"
echo "$want" > "$STAMP"
