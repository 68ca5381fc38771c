#!/usr/bin/env bash
# Resolves the real Java Kafka client (plus the perf tools and a logging binding) from Maven Central into
# .cache/java-client/<version>/libs, for test/support/java/KafkaClientHarness.java.
# Idempotent: a marker file makes a warm run return at once. Usage: bash scripts/kafka/fetch-client.sh [version]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# The pinned client version; test/support/kafka/java-client.ts reads the same default.
version="${1:-${KAFKA_CLIENT_VERSION:-4.4.0}}"
dest="$root/.cache/java-client/$version"
marker="$dest/.fetched"

if [[ -f "$marker" ]]; then
  echo "java client $version: jars already in $dest/libs"
  exit 0
fi
command -v java >/dev/null || { echo "fetch-client.sh: java not found (install a JDK 17, e.g. apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "fetch-client.sh: mvn not found (install Maven, e.g. apt-get install maven)" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest"
echo "java client $version: resolving jars from Maven Central"
mvn -B -q -Dstyle.color=never -f "$here/client-pom.xml" -Dkafka.version="$version" \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$dest/libs" | sed 's/\x1b\[[0-9;]*m//g' # Maven's colour codes, even with -q
ls "$dest/libs"/kafka-clients-"$version".jar >/dev/null
echo "$version" >"$marker"
echo "java client $version: $(ls "$dest/libs" | wc -l) jars in $dest/libs"
