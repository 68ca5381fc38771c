#!/usr/bin/env bash
# Resolves Kroxylicious' proxy runtime (io.kroxylicious:kroxylicious-runtime) from Maven Central into
# .cache/kroxylicious/<version>/libs, for the proxy benchmark's pass-through peer (bench/java/KroxyliciousLauncher.java).
# Idempotent: a marker file makes a warm run return at once. Usage: bash bench/java/fetch-kroxylicious.sh [version]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
version="${1:-0.12.0}"
dest="$root/.cache/kroxylicious/$version"
marker="$dest/.fetched"

if [[ -f "$marker" ]]; then
  echo "kroxylicious $version: jars already in $dest/libs"
  exit 0
fi
command -v mvn >/dev/null || { echo "fetch-kroxylicious.sh: mvn not found (install Maven, e.g. apt-get install maven)" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest"
echo "kroxylicious $version: resolving jars from Maven Central"
mvn -B -q -Dstyle.color=never -f "$here/kroxylicious-pom.xml" -Dkroxylicious.version="$version" \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$dest/libs" | sed 's/\x1b\[[0-9;]*m//g' # Maven's colour codes, even with -q
ls "$dest/libs"/kroxylicious-runtime-"$version".jar >/dev/null
echo "$version" >"$marker"
echo "kroxylicious $version: $(ls "$dest/libs" | wc -l) jars in $dest/libs"
