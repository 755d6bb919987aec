package golden

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	for v, want := range map[string]bool{
		"": false, "0": false, "false": false, "FALSE": false,
		"1": true, "true": true, "yes": true,
	} {
		if got := fromEnv(v); got != want {
			t.Errorf("%s=%q: Update %v, want %v", EnvVar, v, got, want)
		}
	}
}

func TestUpdateReadsTheEnvironment(t *testing.T) {
	t.Setenv(EnvVar, "1")
	if !Update() {
		t.Errorf("%s=1: Update() is false", EnvVar)
	}
	t.Setenv(EnvVar, "")
	if Update() && !*update {
		t.Errorf("%s unset and no -update: Update() is true", EnvVar)
	}
}

// TestNoFlagStubs keeps one mechanism: UPDATE_GOLDEN reaches every test
// binary, so the golden_flag_test.go files that made each package accept
// -update are gone and must not come back (a branch started before the
// switch may still bring one in a merge; it compiles, but delete it).
func TestNoFlagStubs(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	walked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "bin" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, "_test.go") {
			walked++
		}
		if d.Name() == "golden_flag_test.go" {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: delete it; golden files are rewritten with %s=1 go test ./..., which needs no file per package", rel, EnvVar)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if walked < 10 {
		t.Fatalf("found only %d test files under %s: is the walk looking at the module?", walked, root)
	}
}
