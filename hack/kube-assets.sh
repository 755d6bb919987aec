#!/usr/bin/env bash
# Builds the real Kubernetes control plane used by the envtest suites
# (etcd, kube-apiserver, kubectl) and the simulated cluster of test/e2e
# (kube-controller-manager, kube-scheduler, kwok) from the Go module proxy
# into bin/k8s. The versions are pinned by the tool blocks of
# hack/kube-assets/go.mod, hack/etcd/go.mod and hack/kwok/go.mod, which stay out of the project's own go.mod because
# k8s.io/kubernetes needs a replace directive for every staging module.
# A binary already built at the pinned version is not built again.
set -euo pipefail

KUBE_VERSION=1.37.2
ETCD_VERSION=3.7.3
KWOK_VERSION=0.8.0
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${DEST:-$ROOT/bin/k8s}
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
mkdir -p "$DEST"

minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $p.gitVersion=v$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done

built() { # name, expected version text, version-probe arguments...
  local bin=$1 want=$2 out; shift 2
  [ -x "$DEST/$bin" ] || return 1
  # Capture first: `probe | grep -q` lets grep exit at the first match, the
  # probe dies of SIGPIPE on its next line, and pipefail then reports a
  # stale binary: kubectl and etcd were relinked on some no-op runs.
  out=$("$DEST/$bin" "$@" 2>/dev/null) || return 1
  grep -qF "$want" <<<"$out"
}

if ! built etcd "etcd Version: $ETCD_VERSION" --version; then
  start=$SECONDS
  (cd "$ROOT/hack/etcd" && go build -trimpath -ldflags="-s -w" -o "$DEST/etcd" go.etcd.io/etcd/server/v3)
  echo "kube-assets: etcd v$ETCD_VERSION built in $((SECONDS - start))s"
fi
if ! built kube-apiserver "v$KUBE_VERSION" --version; then
  start=$SECONDS
  (cd "$ROOT/hack/kube-assets" && go build -trimpath -ldflags="$ldflags" -o "$DEST/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver)
  echo "kube-assets: kube-apiserver v$KUBE_VERSION built in $((SECONDS - start))s"
fi
if ! built kubectl "v$KUBE_VERSION" version --client; then
  start=$SECONDS
  (cd "$ROOT/hack/kube-assets" && go build -trimpath -ldflags="$ldflags" -o "$DEST/kubectl" k8s.io/kubernetes/cmd/kubectl)
  echo "kube-assets: kubectl v$KUBE_VERSION built in $((SECONDS - start))s"
fi
for cmd in kube-controller-manager kube-scheduler; do
  if ! built "$cmd" "v$KUBE_VERSION" --version; then
    start=$SECONDS
    (cd "$ROOT/hack/kube-assets" && go build -trimpath -ldflags="$ldflags" -o "$DEST/$cmd" "k8s.io/kubernetes/cmd/$cmd")
    echo "kube-assets: $cmd v$KUBE_VERSION built in $((SECONDS - start))s"
  fi
done
if ! built kwok "v$KWOK_VERSION" --version; then
  start=$SECONDS
  (cd "$ROOT/hack/kwok" && go build -trimpath -ldflags="-s -w" -o "$DEST/kwok" sigs.k8s.io/kwok/cmd/kwok)
  echo "kube-assets: kwok v$KWOK_VERSION built in $((SECONDS - start))s"
fi
