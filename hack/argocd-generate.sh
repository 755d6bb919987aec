#!/usr/bin/env bash
# argocd-generate.sh: the generate command of the rocketmq-krm Argo CD
# config-management plugin (installed in the argocd-cmp image as
# /usr/local/bin/rocketmq-argocd-generate).
#
# Argo CD runs it in the application's source directory and applies
# whatever it prints. An empty print with automated prune on deletes every
# object of the application, and kustomize prints nothing, exit 0, when it
# skips exec functions. So this script fails loudly, and prints nothing to
# stdout, when:
#   - kustomize fails (krm-fn returns error results with a non-zero exit),
#   - the output is empty,
#   - the output holds no object rendered by krm-fn,
#   - krm-fn check finds a stale render: a layer (an overlay) patched the
#     spec of a RocketMQCluster without running the function again.
#
# Environment (Argo CD sets ARGOCD_APP_* and prefixes the Application's
# spec.source.plugin.env names with ARGOCD_ENV_):
#   ARGOCD_ENV_OVERLAY  directory to render, relative to the source path
#                       (default "."); absolute paths and ".." are refused.
#   KUSTOMIZE           kustomize binary (default: kustomize on PATH).
#   krm-fn must be on PATH (the image puts it in /usr/local/bin).
set -euo pipefail

me=rocketmq-argocd-generate
app="${ARGOCD_APP_NAME:-(no application)}"
overlay="${ARGOCD_ENV_OVERLAY:-.}"
kustomize="${KUSTOMIZE:-kustomize}"

fail() {
	echo "$me: $app: $*" >&2
	exit 1
}

case "/$overlay/" in
*/../*) fail "ARGOCD_ENV_OVERLAY=$overlay must stay inside the source path (no ..)" ;;
esac
case "$overlay" in
/*) fail "ARGOCD_ENV_OVERLAY=$overlay must be relative to the source path" ;;
esac
[[ -d "$overlay" ]] || fail "ARGOCD_ENV_OVERLAY=$overlay is not a directory under $(pwd)"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

if ! "$kustomize" build --enable-alpha-plugins --enable-exec "$overlay" >"$out"; then
	fail "kustomize build $overlay failed (errors above); nothing is applied"
fi
if ! grep -q '[^[:space:]]' "$out"; then
	fail "kustomize build $overlay rendered NOTHING; refusing to hand Argo CD an empty manifest list (is krm-fn on PATH? was --enable-exec dropped?)"
fi
if ! grep -Eq '^[[:space:]]+app\.kubernetes\.io/managed-by: rocketmq-gitops$' "$out"; then
	fail "kustomize build $overlay rendered no RocketMQ object; is the RocketMQCluster listed under transformers: with a config.kubernetes.io/function annotation?"
fi
if ! krm-fn check --kustomization "$overlay" <"$out"; then
	fail "kustomize build $overlay emitted objects rendered from an older spec (errors above); nothing is applied"
fi
cat "$out"
