#!/bin/sh
# Fetches the pinned Apache Kafka (deploy/kafka/pom.xml: broker, controller,
# tools, log4j2) from Maven Central with mvn and copies its jars into
#   $HGCLUSTER_KAFKA_LIBS, default ${XDG_CACHE_HOME:-$HOME/.cache}/hgcluster/kafka-4.1.1/libs
# where `hgcluster kafka-local` looks for them. Outside git: nothing
# downloaded is committed. A no-op when the jars for this pom are already
# there; reruns work from Maven's local cache (~/.m2).
set -eu
cd "$(dirname "$0")/.."
POM=deploy/kafka/pom.xml
LIBS="${HGCLUSTER_KAFKA_LIBS:-${XDG_CACHE_HOME:-$HOME/.cache}/hgcluster/kafka-4.1.1/libs}"
STAMP="$LIBS/.pom.sha256"
want=$(sha256sum "$POM" | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
for tool in mvn java; do
  command -v "$tool" >/dev/null || {
    echo "install-kafka: $tool is missing; run scripts/install-deps.sh (maven, openjdk-17-jre-headless)" >&2
    exit 1
  }
done
mkdir -p "$(dirname "$LIBS")"
tmp="$LIBS.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "install-kafka: fetching Apache Kafka jars into $LIBS" >&2
mvn -q -B -f "$POM" -Dstyle.color=never dependency:copy-dependencies -DoutputDirectory="$tmp"
echo "$want" > "$tmp/.pom.sha256"
rm -rf "$LIBS"
mv "$tmp" "$LIBS"
echo "install-kafka: $(ls "$LIBS" | wc -l) jars in $LIBS" >&2
