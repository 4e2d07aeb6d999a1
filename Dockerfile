# The hub: one process with telemetry (MQTT + API + live feed), the SFU and the built wall.
# The same steps as README's `npm ci` + `npm start`, with the wall built into the image.
# Two stages: the build stage has the compilers and -dev packages that npm ci needs to build
# the mediasoup worker (mediasoup-worker/); the image runs with the worker's runtime libraries.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends build-essential pkg-config meson ninja-build python3 libuv1-dev libssl-dev libsrtp2-dev libflatbuffers-dev flatbuffers-compiler \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /hub
# README asks npm 11 (allowScripts in package.json); the Node 20 image ships npm 10
RUN npm install -g npm@11 --no-audit --no-fund
COPY package.json package-lock.json ./
COPY config/package.json config/
COPY platform/package.json platform/
COPY identity/package.json identity/
COPY alarms/package.json alarms/
COPY wall-server/package.json wall-server/
COPY incidents/package.json incidents/
COPY notices/package.json notices/
COPY departments/package.json departments/
COPY telemetry/package.json telemetry/
COPY media-server/package.json media-server/
COPY wall-ui/package.json wall-ui/
COPY edge-agent/package.json edge-agent/
COPY hub/package.json hub/
COPY werift-patches/package.json werift-patches/
COPY jt808/package.json jt808/
COPY cluster/package.json cluster/
# the worker's postinstall builds from its patches and recipe: they come before npm ci
COPY mediasoup-worker/ mediasoup-worker/
RUN npm ci --no-audit --no-fund
COPY . .
# the hub runs as `node` and cannot write /hub: build the pages now (npm start finds them up to date)
RUN npm run build:wall

FROM node:20-bookworm-slim
# what the built mediasoup worker links against
RUN apt-get update \
  && apt-get install -y --no-install-recommends libuv1 libssl3 libsrtp2-1 \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /hub
COPY --from=build /hub /hub
ENV HUB_DATA_DIR=/data
# the hub runs as `node`: its data folder (admin token) must be its own
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080 1883 6808 6809
USER node
CMD ["npm", "start"]
