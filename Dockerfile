# syntax=docker/dockerfile:1
# kafka-error-exporter sidecar image: compile the TypeScript, then ship dist/ with production dependencies only.
# test/deploy/dockerfile.system.test.ts lints this file and replays its install-and-start steps outside a container.

# ---- build: full dependency tree, TypeScript compiler, dist/ ----
FROM node:24.21.0-trixie-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: nothing we build needs one, and it keeps the build from running third-party code.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and dist/, owned by root, run by an unprivileged user ----
FROM node:24.21.0-trixie-slim AS runtime
LABEL org.opencontainers.image.title="kafka-error-exporter" \
      org.opencontainers.image.description="Prometheus and OpenTelemetry metrics for every Kafka protocol error code and throttle time your clients see." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:24.21.0-trixie-slim"
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The npm cache lives in a build-time cache mount, so the image holds no cache and npm never runs again.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /src/dist ./dist
# The files stay root-owned and read-only to the runtime user; nothing is written outside /tmp, so the
# container runs with a read-only root filesystem (mount a tmpfs on /tmp).
USER 1000:1000
# 9464: /metrics, /healthz, /readyz, /codes and the landing page.
# 19092: the Kafka protocol proxy's bootstrap listener (`serve --proxy-upstream <cluster>`): the application's
# bootstrap servers. 19093-19192: its per-broker listeners (node id n on 19093+n). The proxy listens on
# loopback by default, which is what a pod's sidecar or `docker run --network container:<app>` wants; to
# reach it through published ports, set --proxy-listen 0.0.0.0:19092 and --proxy-advertised-host.
EXPOSE 9464 19092 19093-19192
# Plain node, no curl in the image; a non-2xx answer or no answer in 3 s marks the container unhealthy. It
# follows KAFKA_ERROR_EXPORTER_PORT: set the port there (not only in a config file) when you move it. It
# probes /healthz, not /readyz: an unreachable Kafka cluster must not get the container restarted.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KAFKA_ERROR_EXPORTER_PORT || 9464) + '/healthz', { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve"]
