#!/usr/bin/env bash
# Resolves Apache Kafka's broker jars (plus a logging backend) from Maven Central into .cache/kafka/<version>/libs.
# Idempotent: a marker file makes a warm run return at once. Usage: bash scripts/kafka/fetch.sh [version]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The pinned version; test/support/kafka/kafka-broker.ts reads the same default (KAFKA_VERSION overrides both).
version="${1:-${KAFKA_VERSION:-3.9.2}}"
dest="$root/.cache/kafka/$version"
marker="$dest/.fetched"

if [[ -f "$marker" ]]; then
  echo "kafka $version: jars already in $dest/libs"
  exit 0
fi
command -v java >/dev/null || { echo "fetch.sh: java not found (install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "fetch.sh: mvn not found (install Maven, e.g. apt-get install maven)" >&2; exit 1; }

case "$version" in
  3.*) profile=kafka3 ;;
  *) profile=kafka4 ;;
esac
rm -rf "$dest"
mkdir -p "$dest"
echo "kafka $version: resolving jars from Maven Central (profile $profile)"
mvn -B -q -Dstyle.color=never -f "$here/pom.xml" -P "$profile" -Dkafka.version="$version" \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$dest/libs" | sed 's/\x1b\[[0-9;]*m//g' # Maven's colour codes, even with -q
ls "$dest/libs"/kafka_2.13-"$version".jar >/dev/null
echo "$version" >"$marker"
echo "kafka $version: $(ls "$dest/libs" | wc -l) jars in $dest/libs"
