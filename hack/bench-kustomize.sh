#!/usr/bin/env bash
# bench-kustomize.sh: whole-process cost of the function inside kustomize.
# Times `kustomize build --enable-alpha-plugins --enable-exec` of
# examples/kustomize/base RUNS times each with:
#   krm-fn  the real function;
#   no-op   cat as the exec function (echoes the ResourceList back, so the
#           output is the cluster alone);
#   replay  a function that ignores its input and prints krm-fn's recorded
#           output: kustomize then handles exactly the same objects as with
#           krm-fn, so krm-fn/replay is the cost of the function itself.
# Prints mean wall and CPU (user+sys) times and the ratios (goal: krm-fn
# within 1.1x of replay; see docs/performance.md). CPU time is the steadier
# number on a busy machine.
#
# Environment: KUSTOMIZE (default: kustomize from PATH), krm-fn on PATH,
# RUNS (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."

kustomize=${KUSTOMIZE:-kustomize}
runs=${RUNS:-20}
example=examples/kustomize/base

krmfn=$(command -v krm-fn) || { echo "bench-kustomize.sh: krm-fn is not on PATH (make build; PATH=\$PWD/bin:\$PATH)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# variant NAME PATH: a copy of the example whose function is PATH.
variant() {
	mkdir "$work/$1"
	cp "$example"/*.yaml "$work/$1"/
	sed -i "s#path: krm-fn#path: $2#" "$work/$1/cluster.yaml"
	grep -q "path: $2" "$work/$1/cluster.yaml" || { echo "bench-kustomize.sh: could not make the $1 variant" >&2; exit 1; }
}

build() { "$kustomize" build --enable-alpha-plugins --enable-exec "$1"; }

printf '#!/bin/sh\n"%s" | tee "%s/recorded.yaml"\n' "$krmfn" "$work" >"$work/record.sh"
printf '#!/bin/sh\ncat >/dev/null\ncat "%s/recorded.yaml"\n' "$work" >"$work/replay.sh"
chmod +x "$work/record.sh" "$work/replay.sh"
variant noop cat
variant record "$work/record.sh"
variant replay "$work/replay.sh"

# Warm up (page cache, first exec), record krm-fn's output, check the builds.
objects=$(build "$example" | grep -c '^kind: ')
build "$work/record" >/dev/null
[[ $(build "$work/replay" | grep -c '^kind: ') -eq $objects ]] || { echo "bench-kustomize.sh: replay differs from krm-fn" >&2; exit 1; }
build "$work/noop" >/dev/null
[[ $objects -gt 1 ]] || { echo "bench-kustomize.sh: the example rendered $objects objects" >&2; exit 1; }

# measure DIR: "wall_ms cpu_ms", means over RUNS builds of DIR.
measure() {
	local TIMEFORMAT='%R %U %S' t
	t=$({ time (for ((i = 0; i < runs; i++)); do build "$1" >/dev/null; done); } 2>&1)
	awk -v n="$runs" '{ printf "%.1f %.1f\n", $1 * 1000 / n, ($2 + $3) * 1000 / n }' <<<"$t"
}

read -r ours_wall ours_cpu < <(measure "$example")
read -r noop_wall noop_cpu < <(measure "$work/noop")
read -r replay_wall replay_cpu < <(measure "$work/replay")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) b = 1; printf "%.2f", a / b }'; }
echo "kustomize build of $example, mean of $runs runs (wall ms / CPU ms):"
printf '  krm-fn (%d objects): %8s / %s\n' "$objects" "$ours_wall" "$ours_cpu"
printf '  no-op (cat):          %8s / %s\n' "$noop_wall" "$noop_cpu"
printf '  replay of the output: %8s / %s\n' "$replay_wall" "$replay_cpu"
echo "  krm-fn / no-op:  $(ratio "$ours_wall" "$noop_wall")x wall, $(ratio "$ours_cpu" "$noop_cpu")x CPU"
echo "  krm-fn / replay: $(ratio "$ours_wall" "$replay_wall")x wall, $(ratio "$ours_cpu" "$replay_cpu")x CPU (the function's own share; goal <= 1.1x)"
