# One image for every tier: TIER=roof|fog|cloud|all selects what the container runs.
# Build:  docker build -t edge-sentinel .
# Run:    docker run -e TIER=fog -v $PWD/config:/app/config edge-sentinel --config config/fog.yaml

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Native addons (better-sqlite3, msgpackr-extract) build with node-gyp when no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
COPY bench ./bench
COPY test/support ./test/support
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production TIER=all
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
COPY models ./models
RUN mkdir -p /app/var && chown -R node:node /app/var
USER node
VOLUME ["/app/var"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+(process.env.SENTINEL_HTTP__PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["sh", "-c", "exec node --single-threaded-gc dist/main --tier=\"$TIER\" \"$@\"", "--"]
