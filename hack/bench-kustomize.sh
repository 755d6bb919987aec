#!/usr/bin/env bash
# bench-kustomize.sh: whole-process cost of the function inside kustomize.
# Times `kustomize build --enable-alpha-plugins --enable-exec` of
# examples/kustomize with krm-fn, and of the same kustomization with a no-op
# exec function (cat, which echoes the ResourceList back), RUNS times each,
# and prints the mean times and their ratio (goal: at most 1.3).
#
# Environment: KUSTOMIZE (default: kustomize from PATH), krm-fn on PATH,
# RUNS (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."

kustomize=${KUSTOMIZE:-kustomize}
runs=${RUNS:-20}
example=examples/kustomize

command -v krm-fn >/dev/null || { echo "bench-kustomize.sh: krm-fn is not on PATH (make build; PATH=\$PWD/bin:\$PATH)" >&2; exit 1; }

noop=$(mktemp -d)
trap 'rm -rf "$noop"' EXIT
cp "$example"/*.yaml "$noop"/
sed -i 's#path: krm-fn#path: cat#' "$noop"/*.yaml
grep -q 'path: cat' "$noop"/cluster.yaml || { echo "bench-kustomize.sh: could not make the no-op variant" >&2; exit 1; }

build() { "$kustomize" build --enable-alpha-plugins --enable-exec "$1"; }

# Warm up (page cache, first exec), and check both builds work.
objects=$(build "$example" | grep -c '^kind: ')
build "$noop" >/dev/null
[[ $objects -gt 1 ]] || { echo "bench-kustomize.sh: the example rendered $objects objects" >&2; exit 1; }

# mean_ms DIR: mean wall time of RUNS builds of DIR, in milliseconds.
mean_ms() {
	local start end
	start=$(date +%s%N)
	for ((i = 0; i < runs; i++)); do build "$1" >/dev/null; done
	end=$(date +%s%N)
	echo $(((end - start) / runs / 1000000))
}

ours=$(mean_ms "$example")
base=$(mean_ms "$noop")
ratio=$(awk -v a="$ours" -v b="$base" 'BEGIN { if (b == 0) b = 1; printf "%.2f", a / b }')
echo "kustomize build, mean of $runs runs:"
echo "  with krm-fn ($objects objects): ${ours} ms"
echo "  with a no-op exec function:     ${base} ms"
echo "  ratio: ${ratio}x (goal <= 1.3x)"
