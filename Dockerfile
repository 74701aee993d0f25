# For deployment (Docker does not run on the development machines).
# Build stage: the C libraries (SQLite, libpq, OpenSSL) are bundled, so only a compiler is needed.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY config ./config
COPY templates ./templates
RUN cargo build --release --locked && strip target/release/helpmatch

# Runtime stage: the binary needs only libc.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /app helpmatch
WORKDIR /app
COPY --from=build /src/target/release/helpmatch /usr/local/bin/helpmatch
COPY config ./config
USER helpmatch
ENV HELPMATCH_ENVIRONMENT=production
EXPOSE 8080
ENTRYPOINT ["helpmatch"]
CMD ["serve"]
