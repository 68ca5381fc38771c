#!/usr/bin/env bash
# Fails if a Kafka broker JVM started from this checkout's jar cache is still running (run after the tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
left="$(ps -eo pid=,args= | grep -F "$root/.cache/kafka/" | grep -F 'kafka.Kafka' | grep -v -F 'grep' || true)"
if [[ -n "$left" ]]; then
  echo "check-no-jvm: Kafka broker JVM(s) left running:" >&2
  echo "$left" | cut -c1-200 >&2
  exit 1
fi
echo "check-no-jvm: no Kafka broker JVM left running"
