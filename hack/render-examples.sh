#!/usr/bin/env bash
# render-examples.sh OUT: render every overlay listed in
# examples/rendered/overlays.txt into OUT/<path below examples/>/manifests.yaml
# (make rendered: OUT=examples/rendered).
#
# Each overlay is rendered by hack/argocd-generate.sh, run from the overlay's
# directory exactly as the Argo CD plugin runs it, so the committed output is
# what Argo CD applies and what Flux reads; it fails on errors and on empty
# output. krm-fn must be on PATH, kustomize on PATH or in $KUSTOMIZE.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: hack/render-examples.sh OUT}
mkdir -p "$out"
out=$(cd "$out" && pwd)

grep -v -e '^#' -e '^[[:space:]]*$' "$root/examples/rendered/overlays.txt" | while read -r overlay; do
	rel=${overlay#examples/}
	mkdir -p "$out/$rel"
	tmp=$(mktemp)
	{
		echo "# Rendered from $overlay by make rendered; do not edit."
		(cd "$root/$overlay" && ARGOCD_APP_NAME="$overlay" "$root/hack/argocd-generate.sh")
	} >"$tmp" || { rm -f "$tmp"; echo "render-examples.sh: $overlay failed" >&2; exit 1; }
	chmod 0644 "$tmp"
	mv "$tmp" "$out/$rel/manifests.yaml"
	echo "render-examples.sh: $overlay -> ${out#"$root"/}/$rel/manifests.yaml" >&2
done
