package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolvePrefersTheStamp(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v9.9.9"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "feed"}}}
	got := resolve("v0.1.0", "abc123", info)
	assert.Equal(t, Info{Version: "v0.1.0", Commit: "abc123", Go: "go1.99"}, got)
	assert.Equal(t, "krm-fn v0.1.0 (commit abc123, go1.99)", got.String("krm-fn"))
}

func TestResolveFallsBackToBuildInfo(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v0.2.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"}}}
	assert.Equal(t, Info{Version: "v0.2.0", Commit: "0123abcd-dirty", Go: "go1.99"}, resolve("", "", info))

	got := resolve("", "", nil)
	assert.Equal(t, "(devel)", got.Version)
	assert.Equal(t, "unknown", got.Commit)
	assert.NotEmpty(t, got.Go)
}

// TestLinkerStamp builds testdata/probe with the flags the Makefile and
// the Dockerfile pass and checks that the stamp reaches Get.
func TestLinkerStamp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "probe")
	pkg := "github.com/rocketmq-gitops/rocketmq-gitops/internal/version"
	build := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X "+pkg+".version=v0.0.0-test -X "+pkg+".commit=deadbeef", "./testdata/probe")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command(bin).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.True(t, strings.HasPrefix(string(out), "probe v0.0.0-test (commit deadbeef, go"), "%s", out)
}
