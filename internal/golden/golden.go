// Package golden owns the -update flag of the test suite. Every test
// package imports it, so that `go test ./... -update` rewrites the golden
// files of the packages that have them and is accepted by all the others
// (a flag a test binary does not define makes it fail).
package golden

import "flag"

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden instead of comparing with them")

// Update reports whether golden files are to be rewritten.
func Update() bool { return *update }
