package argocd_test

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

// There is no container engine in the test environment, so the Dockerfile
// is checked by reading it: pinned bases, the stages the examples name,
// and that the plugin sidecar carries what plugin.yaml and the sidecar
// patch expect.

type instruction struct{ cmd, args string }

type stage struct {
	name, base string
	body       []instruction
}

func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	var stages []stage
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, args, _ := strings.Cut(line, " ")
		cmd = strings.ToUpper(cmd)
		if cmd == "FROM" {
			var f []string
			for _, a := range strings.Fields(args) {
				if strings.HasPrefix(a, "--platform=") {
					continue
				}
				f = append(f, a)
			}
			st := stage{base: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			continue
		}
		require.NotEmpty(t, stages, "instruction %q before FROM", line)
		stages[len(stages)-1].body = append(stages[len(stages)-1].body, instruction{cmd, strings.TrimSpace(args)})
	}
	return stages
}

func stageNamed(t *testing.T, stages []stage, name string) stage {
	t.Helper()
	for _, s := range stages {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("Dockerfile has no stage %q", name)
	return stage{}
}

func (s stage) last(cmd string) string {
	v := ""
	for _, in := range s.body {
		if in.cmd == cmd {
			v = in.args
		}
	}
	return v
}

// copies maps destination → source of the stage's COPY instructions.
func (s stage) copies() map[string]string {
	m := map[string]string{}
	for _, in := range s.body {
		if in.cmd != "COPY" {
			continue
		}
		var f []string
		for _, a := range strings.Fields(in.args) {
			if !strings.HasPrefix(a, "--") || strings.HasPrefix(a, "--from=") {
				f = append(f, a)
			}
		}
		if len(f) >= 2 {
			m[f[len(f)-1]] = strings.Join(f[:len(f)-1], " ")
		}
	}
	return m
}

// An exact tag, optionally followed by the digest of that tag.
var pinnedBases = []*regexp.Regexp{
	regexp.MustCompile(`^golang:\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$`),
	regexp.MustCompile(`^debian:\d+\.\d+-slim(@sha256:[0-9a-f]{64})?$`),
	// distroless publishes no versioned tags; the Debian release is pinned.
	regexp.MustCompile(`^gcr\.io/distroless/static-debian\d+:nonroot(@sha256:[0-9a-f]{64})?$`),
}

func TestDockerfileBasesArePinned(t *testing.T) {
	stages := parseDockerfile(t, filepath.Join(exampletest.ModuleRoot(t), "Dockerfile"))
	names := map[string]bool{}
	for _, s := range stages {
		names[s.name] = true
		if names[s.base] && s.base != s.name {
			continue // built on an earlier stage
		}
		ok := false
		for _, re := range pinnedBases {
			ok = ok || re.MatchString(s.base)
		}
		assert.True(t, ok, "stage %q: base image %q is not pinned to an exact tag", s.name, s.base)
	}
	for _, want := range []string{"build", "kustomize", "runtime", "krm-fn", "argocd-cmp"} {
		assert.True(t, names[want], "stage %q missing", want)
	}
	assert.Equal(t, "runtime", stages[len(stages)-1].base, "the default (last) stage is the controller image")
}

func TestDockerfileRuntimeIsStaticAndNonRoot(t *testing.T) {
	stages := parseDockerfile(t, filepath.Join(exampletest.ModuleRoot(t), "Dockerfile"))
	build := stageNamed(t, stages, "build")
	assert.Contains(t, build.last("ENV"), "CGO_ENABLED=0")
	rt := stageNamed(t, stages, "runtime")
	assert.Equal(t, "65532:65532", rt.last("USER"))
	assert.Equal(t, `["/usr/local/bin/status-controller"]`, rt.last("ENTRYPOINT"),
		"config/manager runs the image with args only")
	assert.Equal(t, map[string]string{"/usr/local/bin/status-controller": "--from=build /out/status-controller"}, rt.copies(),
		"the controller image holds its binary only")
	fn := stageNamed(t, stages, "krm-fn")
	assert.Equal(t, `["/usr/local/bin/krm-fn"]`, fn.last("ENTRYPOINT"))
	assert.Equal(t, map[string]string{"/usr/local/bin/krm-fn": "--from=build /out/krm-fn"}, fn.copies(),
		"the function image holds its binary only")
	assert.Equal(t, "65532:65532", fn.last("USER"))
}

func TestDockerfilePluginSidecar(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	stages := parseDockerfile(t, filepath.Join(root, "Dockerfile"))
	cmp := stageNamed(t, stages, "argocd-cmp")
	assert.Equal(t, "999:999", cmp.last("USER"), "Argo CD runs plugin sidecars as uid 999")
	copies := cmp.copies()
	assert.Equal(t, "examples/argocd/plugin.yaml", copies["/home/argocd/cmp-server/config/plugin.yaml"])
	assert.Equal(t, "--from=kustomize /out/kustomize", copies["/usr/local/bin/kustomize"])
	assert.Equal(t, "--from=build /out/krm-fn", copies["/usr/local/bin/krm-fn"])

	generate := pluginGenerateCommand(t)
	assert.Equal(t, "hack/argocd-generate.sh", copies[generate[0]], "plugin.yaml's generate command is the script the image installs")

	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	require.NoError(t, err)
	version := regexp.MustCompile(`(?m)^KUSTOMIZE_VERSION\s*:=\s*(\S+)`).FindSubmatch(makefile)
	require.NotNil(t, version, "Makefile pins KUSTOMIZE_VERSION")
	assert.Contains(t, stageNamed(t, stages, "kustomize").last("RUN"),
		"sigs.k8s.io/kustomize/kustomize/v5@"+string(version[1]), "the sidecar's kustomize is the one the tests use")
}

// dockerignored applies .dockerignore the way the builder does: the last
// matching pattern wins, and a pattern matching a parent directory
// matches everything below it.
func dockerignored(patterns []string, path string) bool {
	ignored := false
	for _, p := range patterns {
		negate := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		for dir := path; dir != "."; dir = filepath.Dir(dir) {
			if ok, _ := filepath.Match(p, dir); ok {
				ignored = !negate
				break
			}
		}
	}
	return ignored
}

func TestDockerignoreKeepsWhatTheDockerfileCopies(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(exampletest.ModuleRoot(t), ".dockerignore"))
	require.NoError(t, err)
	var patterns []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	for _, p := range []string{"go.mod", "go.sum", "cmd/krm-fn/main.go", "pkg/render/render.go",
		"internal/fn/x.go", "hack/argocd-generate.sh", "examples/argocd/plugin.yaml"} {
		assert.False(t, dockerignored(patterns, p), "%s must reach the build", p)
	}
	for _, p := range []string{"bin/krm-fn", ".git/config", "examples/rendered/kustomize/manifests.yaml"} {
		assert.True(t, dockerignored(patterns, p), "%s should stay out of the build context", p)
	}
}

// TestDockerBuildContextBuilds recreates the build stage's view of the
// repository, the files .dockerignore lets through and the stage COPYs,
// and builds both binaries from it the way the stage does, so a missing
// directory in either file fails here rather than in a release build.
func TestDockerBuildContextBuilds(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	data, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	require.NoError(t, err)
	var patterns []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	var sources []string
	for _, src := range stageNamed(t, parseDockerfile(t, filepath.Join(root, "Dockerfile")), "build").copies() {
		if !strings.HasPrefix(src, "--from=") {
			sources = append(sources, strings.Fields(src)...)
		}
	}
	ctx := t.TempDir()
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel == ".git" || rel == "bin" {
				return filepath.SkipDir
			}
			return nil
		}
		if dockerignored(patterns, rel) || !copiedBy(sources, rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(ctx, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(ctx, rel), b, 0o644)
	})
	require.NoError(t, err)

	cmd := exec.Command("go", "build", "-trimpath", "-o", t.TempDir(), "./cmd/krm-fn", "./cmd/status-controller")
	cmd.Dir = ctx
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building from the Docker build context:\n%s", out)
}

// copiedBy reports whether a COPY of sources (files, or directories
// ending in /) brings rel into the image.
func copiedBy(sources []string, rel string) bool {
	rel = filepath.ToSlash(rel)
	for _, s := range sources {
		if s == rel || (strings.HasSuffix(s, "/") && strings.HasPrefix(rel, s)) {
			return true
		}
	}
	return false
}
