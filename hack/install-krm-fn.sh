#!/usr/bin/env bash
# install-krm-fn.sh VERSION [DIR]: download the krm-fn release binary
# VERSION (a tag such as v0.1.0) for this machine into DIR (default ./bin),
# verify its sha256 checksum, and check that it runs and reports VERSION.
# Meant for CI jobs that render with kustomize before Flux applies the
# result (Flux cannot run KRM functions); see docs/gitops.md, "Releases and
# versions", and the composite action .github/actions/render.
#
# The checksum is taken from KRM_FN_SHA256 when set (pin it in your
# repository next to VERSION: a checksum from the same place as the binary
# guards against a corrupt download, not against a replaced release), else
# from the release's krm-fn_VERSION_checksums.txt. A missing or differing
# checksum fails; nothing is installed then.
#
# Environment:
#   KRM_FN_SHA256    expected sha256 of the binary for this OS/arch
#   KRM_FN_BASE_URL  where releases live (default: the project's GitHub
#                    releases); VERSION/FILE is appended. file:// works.
#   KRM_FN_OS, KRM_FN_ARCH  override the detected linux|darwin, amd64|arm64
#
# Release assets (the release workflow publishes them):
#   krm-fn_VERSION_OS_ARCH          the static binary
#   krm-fn_VERSION_checksums.txt    sha256sum output for every asset
set -euo pipefail

me=install-krm-fn.sh
fail() {
	echo "$me: $*" >&2
	exit 1
}

[[ $# -ge 1 && $# -le 2 ]] || fail "usage: $me VERSION [DIR]   (VERSION is a release tag such as v0.1.0)"
version=$1
dir=${2:-bin}
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
	fail "VERSION $version is not a release tag such as v0.1.0 (pin a release; there is no latest)"

base=${KRM_FN_BASE_URL:-https://github.com/rocketmq-gitops/rocketmq-gitops/releases/download}
os=${KRM_FN_OS:-$(uname -s | tr '[:upper:]' '[:lower:]')}
arch=${KRM_FN_ARCH:-$(uname -m)}
case "$arch" in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) fail "unsupported architecture $arch (releases have amd64 and arm64)" ;;
esac
case "$os" in
linux | darwin) ;;
*) fail "unsupported OS $os (releases have linux and darwin)" ;;
esac

asset="krm-fn_${version}_${os}_${arch}"
sums="krm-fn_${version}_checksums.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {
	curl --fail --silent --show-error --location --retry 3 --output "$tmp/$1" "$base/$version/$1" ||
		fail "downloading $base/$version/$1 failed"
}

fetch "$asset"
want=${KRM_FN_SHA256:-}
if [[ -z "$want" ]]; then
	fetch "$sums"
	want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$tmp/$sums")
	[[ -n "$want" ]] || fail "$sums has no checksum for $asset"
fi
want=$(tr '[:upper:]' '[:lower:]' <<<"$want")
[[ "$want" =~ ^[0-9a-f]{64}$ ]] || fail "expected checksum '$want' is not a sha256 (64 hex digits)"

if command -v sha256sum >/dev/null; then
	got=$(sha256sum "$tmp/$asset" | awk '{print $1}')
else
	got=$(shasum -a 256 "$tmp/$asset" | awk '{print $1}')
fi
[[ "$got" == "$want" ]] || fail "checksum mismatch for $asset: got $got, want $want; not installing"

mkdir -p "$dir"
install -m 0755 "$tmp/$asset" "$dir/krm-fn"
if [[ "$os/$arch" == "$(uname -s | tr '[:upper:]' '[:lower:]')/$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')" ]]; then
	reported=$("$dir/krm-fn" version) || fail "$dir/krm-fn version failed"
	[[ "$reported" == "krm-fn $version "* ]] || fail "$dir/krm-fn reports '$reported', not $version"
	echo "$me: installed $reported into $dir/krm-fn (sha256 $got)" >&2
else
	echo "$me: installed krm-fn $version $os/$arch into $dir/krm-fn (sha256 $got)" >&2
fi
