package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// assetsEnvVar names the directory holding etcd, kube-apiserver and kubectl,
// the variable controller-runtime's envtest reads as well.
const assetsEnvVar = "KUBEBUILDER_ASSETS"

// buildHint is what to do when the binaries are missing.
const buildHint = "run `make kube-assets` (or `make test`) to build etcd, kube-apiserver and kubectl into bin/k8s"

// requiredBinaries must exist in the assets directory; kubectl is optional
// and only needed by Env.Kubectl.
var requiredBinaries = []string{"etcd", "kube-apiserver"}

// moduleRoot walks up from dir to the directory holding go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}

// assetsDir resolves KUBEBUILDER_ASSETS (relative paths are taken from the
// module root, since `go test` runs in each package's directory) or falls
// back to <root>/bin/k8s, and checks the binaries are there.
func assetsDir(root string) (string, error) {
	dir := os.Getenv(assetsEnvVar)
	if dir == "" {
		dir = filepath.Join(root, "bin", "k8s")
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	var missing []error
	for _, name := range requiredBinaries {
		if err := checkExecutable(filepath.Join(dir, name)); err != nil {
			missing = append(missing, err)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("kubernetes test binaries missing in %s (%w): %s", dir, errors.Join(missing...), buildHint)
	}
	return dir, nil
}

func checkExecutable(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	return nil
}
