# tcpcheck bot/worker image. Build: docker build -t tcpcheck .
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY scripts/bundle.mjs ./scripts/
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# openssh-client for operators debugging from inside the container; the transports use ssh2 itself.
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
# The chart font: the trend PNG renders with this file only, the same on every machine.
COPY assets ./assets
USER node
# 3000: /slack/events (public, HTTP mode). 9091: /healthz and /metrics (cluster only).
ENV NODE_ENV=production PORT=3000 METRICS_PORT=9091
EXPOSE 3000 9091
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9091)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
