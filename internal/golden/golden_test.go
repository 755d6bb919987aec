package golden

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const importPath = `"github.com/rocketmq-gitops/rocketmq-gitops/internal/golden"`

// Every test package must import this package: a test binary that does not
// define -update fails `go test ./... -update` with "flag provided but not
// defined", and the README documents that command.
func TestEveryTestPackageAcceptsUpdate(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	importers := map[string]bool{}
	testDirs := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "bin" || d.Name() == "testdata" || d.Name() == "hack" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		testDirs[dir] = true
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), importPath) {
			importers[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(testDirs) < 10 {
		t.Fatalf("found only %d test packages under %s: is the walk looking at the module?", len(testDirs), root)
	}
	for dir := range testDirs {
		if dir == filepath.Join(root, "internal", "golden") {
			continue
		}
		if !importers[dir] {
			rel, _ := filepath.Rel(root, dir)
			t.Errorf("%s: no test file imports internal/golden; add golden_flag_test.go with `import _ %s`", rel, importPath)
		}
	}
}
