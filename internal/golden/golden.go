// Package golden says whether the tests are to rewrite their golden files
// instead of comparing with them:
//
//	UPDATE_GOLDEN=1 go test ./...
//
// An environment variable reaches every test binary, so no test package
// needs anything to accept it (a -update flag, by contrast, fails every
// test binary that does not define it with "flag provided but not defined").
//
// The -update flag is still defined here and still works for a package
// whose tests import this one (go test ./internal/fn -update), but it is
// deprecated: use UPDATE_GOLDEN. A test file that only imports this package
// for its side effect (the former golden_flag_test.go stubs) compiles and
// does nothing useful; delete it (TestNoFlagStubs fails while one remains).
package golden

import (
	"flag"
	"os"
	"strconv"
)

// EnvVar is the environment variable that turns on rewriting: any value
// strconv.ParseBool reads as true ("1", "true"), or any other non-empty
// value except "0" and "false".
const EnvVar = "UPDATE_GOLDEN"

// Deprecated: set UPDATE_GOLDEN instead; see the package documentation.
var update = flag.Bool("update", false, "deprecated: set "+EnvVar+"=1 instead; rewrite the golden files instead of comparing with them")

// Update reports whether golden files are to be rewritten: UPDATE_GOLDEN is
// set to a true value, or -update was given.
func Update() bool {
	return fromEnv(os.Getenv(EnvVar)) || *update
}

func fromEnv(v string) bool {
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	return err != nil || b
}
