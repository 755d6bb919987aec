# syntax=docker/dockerfile:1
#
# Images of rocketmq-gitops (make docker-build builds all three):
#
#   runtime     status-controller, static, on distroless, non-root:
#               ghcr.io/rocketmq-gitops/status-controller
#   krm-fn      krm-fn alone, same base: the container form of
#               the KRM function (config.kubernetes.io/function: container:
#               image: ghcr.io/rocketmq-gitops/krm-fn:<tag>)
#   argocd-cmp  the Argo CD repo-server sidecar of the rocketmq-krm
#               config-management plugin: kustomize, krm-fn and plugin.yaml,
#               uid 999: ghcr.io/rocketmq-gitops/rocketmq-argocd-cmp
#
# Each final image holds only its own binary (the plugin sidecar: krm-fn,
# kustomize and its generate script). The Go stages run on the build
# platform and cross-compile for TARGETOS/TARGETARCH, so a multi-arch
# build (docker buildx build --platform linux/amd64,linux/arm64) compiles
# natively instead of under emulation.
#
# Version stamp: .dockerignore keeps .git out of the context, so the
# version and commit come in as build arguments (make docker-build and the
# release workflow pass them):
#   docker build --build-arg VERSION=v0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) .
# Unset, the binaries report "(devel)" and commit "unknown".
#
# Base images are pinned to exact tags, not yet to digests: no digest
# could be verified where this file was written. Append @sha256:<digest>
# of the multi-arch index (docker buildx imagetools inspect <image>) to
# each FROM to pin them; the Dockerfile test accepts tag@digest.

FROM --platform=$BUILDPLATFORM golang:1.26.8 AS build
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd/ cmd/
COPY pkg/ pkg/
COPY internal/ internal/
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=""
ARG COMMIT=""
ARG VERSION_PKG=github.com/rocketmq-gitops/rocketmq-gitops/internal/version
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build \
      -ldflags="-s -w -X ${VERSION_PKG}.version=${VERSION} -X ${VERSION_PKG}.commit=${COMMIT}" \
      -o /out/krm-fn ./cmd/krm-fn \
 && GOOS=$TARGETOS GOARCH=$TARGETARCH go build \
      -ldflags="-s -w -X ${VERSION_PKG}.version=${VERSION} -X ${VERSION_PKG}.commit=${COMMIT}" \
      -o /out/status-controller ./cmd/status-controller

# kustomize for the plugin sidecar, the version the Makefile pins
# (KUSTOMIZE_VERSION), built the same way: static, from the module proxy.
# A cross-compiling go install writes to $GOPATH/bin/<os>_<arch>/ (it
# refuses GOBIN), hence the find.
FROM --platform=$BUILDPLATFORM golang:1.26.8 AS kustomize
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
ARG TARGETOS
ARG TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.2 \
 && mkdir -p /out \
 && mv "$(find "$(go env GOPATH)/bin" -type f -name kustomize)" /out/kustomize

# The generate command is a bash script (set -euo pipefail), so this stage
# needs a shell; argocd-cmp-server itself is mounted in from repo-server.
FROM debian:13.2-slim AS argocd-cmp
RUN groupadd --gid 999 argocd \
 && useradd --uid 999 --gid 999 --home-dir /home/argocd --create-home --shell /usr/sbin/nologin argocd
COPY --from=kustomize /out/kustomize /usr/local/bin/kustomize
COPY --from=build /out/krm-fn /usr/local/bin/krm-fn
COPY --chmod=0755 hack/argocd-generate.sh /usr/local/bin/rocketmq-argocd-generate
COPY --chown=999:999 examples/argocd/plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
USER 999:999
WORKDIR /home/argocd

# The status controller: its binary only.
FROM gcr.io/distroless/static-debian13:nonroot AS runtime
COPY --from=build /out/status-controller /usr/local/bin/status-controller
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/status-controller"]

# Container functions read a ResourceList on stdin: kustomize runs
# `docker run --network none` on this image with no arguments. krm-fn only.
FROM gcr.io/distroless/static-debian13:nonroot AS krm-fn
COPY --from=build /out/krm-fn /usr/local/bin/krm-fn
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/krm-fn"]

# The default target is the controller image.
FROM runtime
