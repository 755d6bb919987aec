#!/usr/bin/env bash
# render.sh DIR: kustomize build a kustomization that runs the krm-fn exec
# function, print the objects, and fail loudly when the render failed or
# rendered nothing, or rendered from a spec that a later layer changed
# (krm-fn check).
#
# kustomize with --enable-alpha-plugins but without --enable-exec skips exec
# functions and exits 0: a generator then yields empty output, a transformer
# yields the RocketMQCluster alone. Applied by a GitOps engine with pruning
# on, either deletes the whole cluster, so both count as failures here.
#
# Environment: KUSTOMIZE (default: kustomize from PATH); krm-fn must be on
# PATH (make demo puts ./bin first). The objects go to stdout; a one-line
# count per kind goes to stderr, so piping the output stays clean.
set -euo pipefail

dir=${1:?usage: hack/render.sh DIR}
kustomize=${KUSTOMIZE:-kustomize}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

if ! "$kustomize" build --enable-alpha-plugins --enable-exec "$dir" >"$out"; then
	echo "render.sh: kustomize build $dir failed (see the errors above)" >&2
	exit 1
fi
if ! grep -q '[^[:space:]]' "$out"; then
	echo "render.sh: kustomize build $dir rendered NOTHING; were the exec functions skipped (--enable-exec) or is krm-fn missing from PATH?" >&2
	exit 1
fi
if ! grep -q 'app.kubernetes.io/managed-by: rocketmq-gitops' "$out"; then
	echo "render.sh: kustomize build $dir rendered no RocketMQ object; were the exec functions skipped (--enable-exec)?" >&2
	exit 1
fi
# A layer that patched the spec after the function ran (an overlay that
# does not list the function as a transformer) leaves objects rendered from
# the old spec: krm-fn check names the cluster and the fix.
if ! krm-fn check --kustomization "$dir" <"$out"; then
	echo "render.sh: kustomize build $dir emitted a stale render (see above); nothing printed" >&2
	exit 1
fi
cat "$out"
kinds=$(grep '^kind: ' "$out" | sort | uniq -c | awk '{printf "%s%d %s", sep, $1, $3; sep=", "}')
echo "render.sh: rendered $(grep -c '^kind: ' "$out") objects from $dir: $kinds" >&2
