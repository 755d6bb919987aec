package release_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
)

const testRelease = "v0.0.0-test.1"

// fakeRelease lays out a release the way the release workflow publishes
// it, in a directory served as file://: krm-fn for this machine, stamped
// with testRelease, and the checksums file. It returns the base URL and the
// binary's sha256.
func fakeRelease(t *testing.T) (baseURL, sum string) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	root := exampletest.ModuleRoot(t)
	dir := t.TempDir()
	rel := filepath.Join(dir, testRelease)
	require.NoError(t, os.MkdirAll(rel, 0o755))
	asset := fmt.Sprintf("krm-fn_%s_%s_%s", testRelease, runtime.GOOS, runtime.GOARCH)
	pkg := "github.com/rocketmq-gitops/rocketmq-gitops/internal/version"
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(rel, asset),
		"-ldflags", "-X "+pkg+".version="+testRelease+" -X "+pkg+".commit=0123abcd", "./cmd/krm-fn")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(filepath.Join(rel, asset))
	require.NoError(t, err)
	h := sha256.Sum256(data)
	sum = hex.EncodeToString(h[:])
	other := strings.Repeat("ab", 32)
	sums := fmt.Sprintf("%s  krm-fn_%s_plan9_amd64\n%s  %s\n", other, testRelease, sum, asset)
	require.NoError(t, os.WriteFile(filepath.Join(rel, "krm-fn_"+testRelease+"_checksums.txt"), []byte(sums), 0o644))
	return "file://" + dir, sum
}

// installKRMFn runs hack/install-krm-fn.sh; env adds to the environment.
func installKRMFn(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(exampletest.ModuleRoot(t), "hack", "install-krm-fn.sh"), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestInstallKRMFnVerifiesTheChecksum(t *testing.T) {
	base, sum := fakeRelease(t)
	env := []string{"KRM_FN_BASE_URL=" + base, "KRM_FN_SHA256="}

	t.Run("from the checksums file", func(t *testing.T) {
		dest := filepath.Join(t.TempDir(), "bin")
		out, err := installKRMFn(t, env, testRelease, dest)
		require.NoError(t, err, out)
		assert.Contains(t, out, "installed krm-fn "+testRelease+" (commit 0123abcd")
		v, err := exec.Command(filepath.Join(dest, "krm-fn"), "version").Output()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(v), "krm-fn "+testRelease+" "), "%s", v)
	})
	t.Run("pinned by the caller", func(t *testing.T) {
		dest := filepath.Join(t.TempDir(), "bin")
		out, err := installKRMFn(t, append(env, "KRM_FN_SHA256="+strings.ToUpper(sum)), testRelease, dest)
		require.NoError(t, err, out)
		assert.FileExists(t, filepath.Join(dest, "krm-fn"))
	})
	t.Run("a differing pinned checksum refuses", func(t *testing.T) {
		dest := filepath.Join(t.TempDir(), "bin")
		out, err := installKRMFn(t, append(env, "KRM_FN_SHA256="+strings.Repeat("0", 64)), testRelease, dest)
		require.Error(t, err)
		assert.Contains(t, out, "checksum mismatch")
		assert.NoFileExists(t, filepath.Join(dest, "krm-fn"), "nothing is installed")
	})
	t.Run("a tampered binary refuses", func(t *testing.T) {
		tampered := copyRelease(t, base, func(name string, data []byte) []byte {
			if strings.HasPrefix(name, "krm-fn_"+testRelease+"_"+runtime.GOOS) {
				return append(data, 0)
			}
			return data
		})
		dest := filepath.Join(t.TempDir(), "bin")
		out, err := installKRMFn(t, []string{"KRM_FN_BASE_URL=" + tampered, "KRM_FN_SHA256="}, testRelease, dest)
		require.Error(t, err)
		assert.Contains(t, out, "checksum mismatch")
		assert.NoFileExists(t, filepath.Join(dest, "krm-fn"))
	})
	t.Run("no checksum for this platform refuses", func(t *testing.T) {
		unlisted := copyRelease(t, base, func(name string, data []byte) []byte {
			if strings.HasSuffix(name, "_checksums.txt") {
				return []byte(strings.Repeat("ab", 32) + "  krm-fn_" + testRelease + "_plan9_amd64\n")
			}
			return data
		})
		out, err := installKRMFn(t, []string{"KRM_FN_BASE_URL=" + unlisted, "KRM_FN_SHA256="}, testRelease)
		require.Error(t, err)
		assert.Contains(t, out, "has no checksum for krm-fn_"+testRelease+"_"+runtime.GOOS+"_"+runtime.GOARCH)
	})
	t.Run("a malformed pin refuses", func(t *testing.T) {
		out, err := installKRMFn(t, append(env, "KRM_FN_SHA256=not-a-sha"), testRelease)
		require.Error(t, err)
		assert.Contains(t, out, "is not a sha256")
	})
	t.Run("a missing release fails the download", func(t *testing.T) {
		out, err := installKRMFn(t, env, "v9.9.9")
		require.Error(t, err)
		assert.Contains(t, out, "downloading "+base+"/v9.9.9/")
	})
}

func TestInstallKRMFnArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{nil, nil, "usage: install-krm-fn.sh VERSION [DIR]"},
		{[]string{"v0.1.0", "bin", "extra"}, nil, "usage:"},
		{[]string{"latest"}, nil, "is not a release tag"},
		{[]string{"0.1.0"}, nil, "is not a release tag"},
		{[]string{"v0.1.0"}, []string{"KRM_FN_OS=windows"}, "unsupported OS windows"},
		{[]string{"v0.1.0"}, []string{"KRM_FN_ARCH=riscv64"}, "unsupported architecture riscv64"},
		{[]string{"v0.1.0"}, []string{"KRM_FN_SHA256=abc", "KRM_FN_BASE_URL=file:///nonexistent"}, "downloading file:///nonexistent/v0.1.0/"},
	} {
		out, err := installKRMFn(t, tc.env, tc.args...)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, out, tc.want, "%v %v", tc.args, tc.env)
	}
}

// copyRelease copies the release at base (file://) through mutate and
// returns the copy's base URL.
func copyRelease(t *testing.T, base string, mutate func(name string, data []byte) []byte) string {
	t.Helper()
	src := filepath.Join(strings.TrimPrefix(base, "file://"), testRelease)
	dst := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dst, testRelease), 0o755))
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, testRelease, e.Name()), mutate(e.Name(), data), 0o755))
	}
	return "file://" + dst
}
