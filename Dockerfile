# The hub: one process with telemetry (MQTT + API + live feed) and, as they land, media and wall.
FROM node:20-bookworm-slim
WORKDIR /hub
COPY package.json package-lock.json ./
COPY config/package.json config/
COPY telemetry/package.json telemetry/
COPY media-server/package.json media-server/
COPY wall-ui/package.json wall-ui/
COPY edge-agent/package.json edge-agent/
COPY hub/package.json hub/
RUN npm ci --no-audit --no-fund
COPY . .
ENV HUB_DATA_DIR=/data
# the hub runs as `node`: its data folder (admin token) must be its own
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080 1883
USER node
CMD ["npm", "start"]
