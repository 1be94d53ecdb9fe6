# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY bench ./bench
COPY console ./console
RUN npm run build

# Runtime stage: production dependencies, compiled code and migrations only, as a non-root user.
FROM node:20-bookworm-slim
# HOST=0.0.0.0: a container is reached through its published port, never on its own loopback.
ENV NODE_ENV=production PORT=8000 QDRANT_PORT=6333 HOST=0.0.0.0 VECGATE_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
RUN mkdir -p /data && chown node:node /data
USER node
# 8000: Chroma, Pinecone and Vectorizer; 6333: Qdrant.
EXPOSE 8000 6333
CMD ["node", "dist/src/main.js"]
