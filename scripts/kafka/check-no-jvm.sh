#!/usr/bin/env bash
# Fails if a Kafka JVM started from this checkout is still running (run after the tests): a broker or
# cluster node from the jar cache, or a Java client of test/support/java/KafkaClientHarness.java.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
procs="$(ps -eo pid=,args= | grep -v -F 'grep' || true)"
brokers="$(echo "$procs" | grep -F "$root/.cache/kafka/" | grep -F 'kafka.Kafka' || true)"
clients="$(echo "$procs" | grep -F "$root/.cache/java-client/" | grep -F 'KafkaClientHarness' || true)"
left="$(printf '%s\n%s' "$brokers" "$clients" | sed '/^$/d')"
if [[ -n "$left" ]]; then
  echo "check-no-jvm: Kafka JVM(s) left running:" >&2
  echo "$left" | cut -c1-200 >&2
  exit 1
fi
echo "check-no-jvm: no Kafka JVM left running"
