# gwlint container image: a static musl binary on distroless, running as a non-root user.
#
#   docker build -t gwlint .
#   docker run --rm -v "$PWD:/src" gwlint check .
#
# The build stage runs on the builder's own platform and cross-compiles to the image's
# platform with cargo-zigbuild (zig as the C compiler and linker for mimalloc and the final
# link), so a multi-arch build (linux/amd64, linux/arm64) needs no emulation.

ARG RUST_VERSION=1.95

FROM --platform=$BUILDPLATFORM rust:${RUST_VERSION}-slim-bookworm AS build
ARG TARGETARCH
# The repository SARIF helpUri links name (src/report/sarif.rs); empty: Cargo.toml's.
ARG GWLINT_REPOSITORY=""
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-pip \
    && rm -rf /var/lib/apt/lists/* \
    && pip3 install --no-cache-dir --break-system-packages cargo-zigbuild
WORKDIR /build
COPY . .
RUN case "$TARGETARCH" in \
        amd64) target=x86_64-unknown-linux-musl ;; \
        arm64) target=aarch64-unknown-linux-musl ;; \
        *) echo "unsupported TARGETARCH: $TARGETARCH" >&2; exit 1 ;; \
    esac \
    && rustup target add "$target" \
    && if [ -n "$GWLINT_REPOSITORY" ]; then export GWLINT_REPOSITORY; else unset GWLINT_REPOSITORY; fi \
    && cargo zigbuild --locked --profile dist --target "$target" \
    && cp "target/$target/dist/gwlint" /gwlint

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="gwlint" \
      org.opencontainers.image.description="Offline linter for Gateway API, Istio, cert-manager and External Secrets manifests" \
      org.opencontainers.image.source="https://github.com/gwlint/gwlint" \
      org.opencontainers.image.url="https://github.com/gwlint/gwlint" \
      org.opencontainers.image.documentation="https://github.com/gwlint/gwlint#readme" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /gwlint /usr/local/bin/gwlint
# distroless's nonroot user (65532); mount the repository to lint at /src.
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["gwlint"]
CMD ["check", "."]
