package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
)

func TestVersionPrintsVersionAndCommit(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "version")
	require.Equal(t, 0, code, stderr)
	// Unstamped (go test): the module version or (devel), the commit the
	// toolchain recorded or "unknown".
	assert.Regexp(t, `^krm-fn \S+ \(commit \S+, go\S+\)\n$`, stdout)
}

// TestMakeStampsVersion builds krm-fn the way release builds do, with the
// Makefile's krm-fn target, and checks that the binary reports the version
// and commit it was given, and by default those of git.
func TestMakeStampsVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds krm-fn with make")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root := exampletest.ModuleRoot(t)
	bin := t.TempDir()
	makeVersion := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("make", append([]string{"--no-print-directory", "-C", root, "krm-fn", "BIN=" + bin}, args...)...)
		// Under make test the outer make's flags and overrides would
		// reach this one through the environment.
		for _, e := range os.Environ() {
			if k, _, _ := strings.Cut(e, "="); k != "MAKEFLAGS" && k != "MFLAGS" && k != "MAKELEVEL" && k != "VERSION" && k != "COMMIT" {
				cmd.Env = append(cmd.Env, e)
			}
		}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "make krm-fn:\n%s", out)
		out, err = exec.Command(filepath.Join(bin, "krm-fn"), "version").CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}

	out := makeVersion("VERSION=v0.0.0-stamp-test", "COMMIT=0123456789abcdef")
	assert.True(t, strings.HasPrefix(out, "krm-fn v0.0.0-stamp-test (commit 0123456789abcdef, go"), out)

	if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
		t.Skip("not a git checkout: the default stamp comes from git")
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("git rev-parse HEAD: %v", err)
	}
	out = makeVersion()
	m := regexp.MustCompile(`^krm-fn (\S+) \(commit (\S+), `).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	assert.NotEqual(t, "(devel)", m[1], "make stamps git describe")
	assert.Equal(t, strings.TrimSpace(string(head)), m[2])
}
