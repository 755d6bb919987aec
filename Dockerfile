# syntax=docker/dockerfile:1
#
# Images of rocketmq-gitops (make docker-build builds all three):
#
#   runtime     status-controller (entrypoint) and krm-fn, static, on
#               distroless, non-root: ghcr.io/rocketmq-gitops/status-controller
#   krm-fn      the same image with krm-fn as entrypoint: the container form of
#               the KRM function (config.kubernetes.io/function: container:
#               image: ghcr.io/rocketmq-gitops/krm-fn:<tag>)
#   argocd-cmp  the Argo CD repo-server sidecar of the rocketmq-krm
#               config-management plugin: kustomize, krm-fn and plugin.yaml,
#               uid 999: ghcr.io/rocketmq-gitops/rocketmq-argocd-cmp
#
# Base images are pinned to exact tags; bump them deliberately.

FROM golang:1.26.8 AS build
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd/ cmd/
COPY pkg/ pkg/
COPY internal/ internal/
RUN go build -ldflags="-s -w" -o /out/krm-fn ./cmd/krm-fn \
 && go build -ldflags="-s -w" -o /out/status-controller ./cmd/status-controller

# kustomize for the plugin sidecar, the version the Makefile pins
# (KUSTOMIZE_VERSION), built the same way: static, from the module proxy.
FROM golang:1.26.8 AS kustomize
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
RUN GOBIN=/out go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.2

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

FROM gcr.io/distroless/static-debian13:nonroot AS runtime
COPY --from=build /out/status-controller /usr/local/bin/status-controller
COPY --from=build /out/krm-fn /usr/local/bin/krm-fn
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/status-controller"]

# Container functions read a ResourceList on stdin: kustomize runs
# `docker run --network none` on this image with no arguments.
FROM runtime AS krm-fn
ENTRYPOINT ["/usr/local/bin/krm-fn"]

# The default target is the controller image.
FROM runtime
