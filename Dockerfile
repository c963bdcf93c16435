# openrouter-keys-mock: the mock as a small image for front-end teams, on Node.js 24 (the active LTS).
#   docker build -t openrouter-keys-mock .
#   docker run -p 127.0.0.1:8080:8080 openrouter-keys-mock [flags…]
# It listens on every interface of the container (HOST=0.0.0.0): the control plane is open to
# whatever reaches the published port unless MOCK_ADMIN_TOKEN is set (the banner warns).

# 1. Compile TypeScript and build the inspector (dev dependencies live only here).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY inspector ./inspector
RUN npm run build

# 2. Production dependencies only.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. The runtime image: compiled JS, production dependencies, the bundled datasets.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --chown=root:root package.json ./
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root fixtures ./fixtures
# The image's unprivileged user; the files above stay read-only to it.
USER node
EXPOSE 8080
# Node itself makes the request: no curl or wget in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/__mock/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Flags after the image name are appended: docker run … openrouter-keys-mock --seed 7 --scenario near-limit
ENTRYPOINT ["node", "dist/cli.js"]
