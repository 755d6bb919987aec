#!/usr/bin/env bash
# fuzz.sh: run every fuzz target of the module for a short while each
# (FUZZTIME, default 20s). `go test` alone only replays the seed corpora;
# this explores. A crasher is saved under the package's testdata/fuzz/ and
# the script fails, so commit the crasher with the fix.
set -euo pipefail
export GOTOOLCHAIN=local
cd "$(dirname "$0")/.."

fuzztime=${FUZZTIME:-20s}
failed=0
found=0
# Fuzz targets are `func FuzzXxx(f *testing.F)` in _test.go files of this
# module (not of the tool modules under hack/).
while IFS=: read -r file target; do
	pkg=./$(dirname "$file")
	found=$((found + 1))
	echo "== $pkg $target ($fuzztime)"
	if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"; then
		echo "fuzz.sh: $pkg $target FAILED" >&2
		failed=1
	fi
done < <(git ls-files -co --exclude-standard '*_test.go' | grep -v '^hack/' |
	xargs grep -oH '^func Fuzz[A-Za-z0-9_]*(f \*testing\.F)' |
	sed -E 's/:func (Fuzz[A-Za-z0-9_]*)\(.*/:\1/' | sort)

if [[ $found -eq 0 ]]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi
exit $failed
