package release_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
)

type step struct {
	Name string            `json:"name"`
	Uses string            `json:"uses"`
	With map[string]any    `json:"with"`
	Env  map[string]string `json:"env"`
	Run  string            `json:"run"`
}

type workflow struct {
	// YAML 1.1 reads the bare key `on` as true; GitHub reads it as "on".
	On   map[string]any    `json:"true"`
	Env  map[string]string `json:"env"`
	Jobs map[string]struct {
		Needs    any `json:"needs"`
		Strategy struct {
			Matrix struct {
				Include []map[string]string `json:"include"`
			} `json:"matrix"`
		} `json:"strategy"`
		Steps []step `json:"steps"`
	} `json:"jobs"`
}

func readWorkflow(t *testing.T, path string) (workflow, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var wf workflow
	require.NoError(t, yaml.Unmarshal(data, &wf))
	return wf, string(data)
}

// An action is pinned to a full commit or to a version tag, as the
// repository's other workflows pin theirs (vN, vN.N, vN.N.N); never to a
// branch.
var pinnedAction = regexp.MustCompile(`^[\w.-]+/[\w./-]+@([0-9a-f]{40}|v\d+(\.\d+){0,2})$`)

func TestPinnedActionPattern(t *testing.T) {
	for uses, want := range map[string]bool{
		"actions/checkout@v5": true, "docker/setup-buildx-action@v3.11.1": true,
		"actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8": true,
		"fluxcd/flux2/action@main":                                  false, "actions/checkout": false, "actions/checkout@latest": false,
	} {
		assert.Equal(t, want, pinnedAction.MatchString(uses), uses)
	}
}

func TestReleaseWorkflow(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	wf, text := readWorkflow(t, filepath.Join(root, ".github", "workflows", "release.yaml"))

	push, _ := wf.On["push"].(map[string]any)
	require.NotNil(t, push, "triggered by push")
	assert.Equal(t, []any{"v*"}, push["tags"], "triggered by version tags only")
	assert.NotContains(t, wf.On, "pull_request")

	assert.NotContains(t, text, ":latest", "a release publishes versions only")
	for name, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Uses != "" {
				assert.Regexp(t, pinnedAction, s.Uses, "job %s: action not pinned to a commit or version tag", name)
			}
		}
	}

	// Images: the three Dockerfile targets, multi-arch, stamped, pushed
	// with an SBOM.
	images, ok := wf.Jobs["images"]
	require.True(t, ok, "an images job")
	targets := map[string]string{}
	for _, m := range images.Strategy.Matrix.Include {
		targets[m["target"]] = m["image"]
	}
	assert.Equal(t, map[string]string{"runtime": "status-controller", "krm-fn": "krm-fn", "argocd-cmp": "rocketmq-argocd-cmp"}, targets)
	platforms := strings.Split(wf.Env["PLATFORMS"], ",")
	assert.ElementsMatch(t, []string{"linux/amd64", "linux/arm64"}, platforms)
	assert.Equal(t, "ghcr.io/${{ github.repository_owner }}", wf.Env["REGISTRY"])
	build := findStep(images.Steps, "docker buildx build")
	require.NotNil(t, build, "images are built with docker buildx")
	for _, want := range []string{`--platform "$PLATFORMS"`, `--target "$TARGET"`, `--build-arg VERSION="$VERSION"`,
		`--build-arg COMMIT="$COMMIT"`, `--label org.opencontainers.image.version="$VERSION"`, "--sbom=true", "--push", `"$REGISTRY/$IMAGE:$VERSION"`} {
		assert.Contains(t, build.Run, want)
	}
	assert.Equal(t, "${{ github.ref_name }}", build.Env["VERSION"], "images are stamped with the tag")
	assert.Equal(t, "${{ github.sha }}", build.Env["COMMIT"])
	assert.NotNil(t, findUses(images.Steps, "docker/setup-buildx-action@"))
	assert.NotNil(t, findUses(images.Steps, "docker/setup-qemu-action@"), "the debian-based sidecar stage runs for arm64")

	// Binaries: krm-fn for linux and darwin, amd64 and arm64, built with
	// the Makefile (its LDFLAGS stamp them), checksums and an SBOM.
	bins, ok := wf.Jobs["binaries"]
	require.True(t, ok, "a binaries job")
	b := findStep(bins.Steps, "make krm-fn")
	require.NotNil(t, b, "krm-fn is built by make krm-fn (the Makefile's version stamp)")
	assert.Contains(t, b.Run, "for os in linux darwin")
	assert.Contains(t, b.Run, "for arch in amd64 arm64")
	assert.Contains(t, b.Run, `krm-fn_${VERSION}_${os}_${arch}`, "the asset name hack/install-krm-fn.sh downloads")
	assert.Contains(t, b.Run, "version | grep -F", "the release checks its own stamp")
	sums := findStep(bins.Steps, "sha256sum")
	require.NotNil(t, sums, "sha256 checksums are produced")
	assert.Contains(t, sums.Run, `krm-fn_${VERSION}_checksums.txt`)
	sbom := findStep(bins.Steps, "cyclonedx-gomod")
	require.NotNil(t, sbom, "an SBOM is produced")
	assert.Regexp(t, `@v\d+\.\d+\.\d+ `, sbom.Run, "the SBOM tool is pinned to a version")
	publish := findStep(bins.Steps, "gh release create")
	require.NotNil(t, publish)
	assert.Contains(t, publish.Run, "dist/*", "binaries, checksums and SBOM are attached")
	assert.Less(t, stepIndex(bins.Steps, sbom), stepIndex(bins.Steps, sums), "the checksums cover the SBOM")
	assert.Less(t, stepIndex(bins.Steps, sums), stepIndex(bins.Steps, publish))

	// The pins are checked against the tag before anything is published.
	check, ok := wf.Jobs["check"]
	require.True(t, ok)
	c := findStep(check.Steps, "go test ./test/release/")
	require.NotNil(t, c)
	assert.Equal(t, "${{ github.ref_name }}", c.Env["RELEASE_TAG"])
	assert.Equal(t, "check", images.Needs)
	assert.Equal(t, "check", bins.Needs)

	// The toolchain matches the Dockerfile's.
	goVersion := regexp.MustCompile(`(?m)^FROM .*golang:(\d+\.\d+\.\d+)`).FindStringSubmatch(readFile(t, filepath.Join(root, "Dockerfile")))
	require.NotNil(t, goVersion)
	for _, job := range []string{"check", "binaries"} {
		s := findUses(wf.Jobs[job].Steps, "actions/setup-go@")
		require.NotNil(t, s, job)
		assert.Equal(t, goVersion[1], s.With["go-version"], "job %s builds with the Dockerfile's Go", job)
	}
}

func TestDockerfileForRelease(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	text := readFile(t, filepath.Join(root, "Dockerfile"))
	assert.NotContains(t, text, ":latest")
	joined := strings.ReplaceAll(text, "\\\n", " ")
	froms := regexp.MustCompile(`(?m)^FROM\s+(.*)$`).FindAllStringSubmatch(joined, -1)
	require.NotEmpty(t, froms)
	stages := map[string]bool{}
	var goStages int
	for _, f := range froms {
		fields := strings.Fields(f[1])
		platform := ""
		if strings.HasPrefix(fields[0], "--platform=") {
			platform, fields = strings.TrimPrefix(fields[0], "--platform="), fields[1:]
		}
		base := fields[0]
		if len(fields) == 3 {
			stages[fields[2]] = true
		}
		if stages[base] {
			continue
		}
		assert.Regexp(t, `^[\w./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?$`, base, "base images are pinned to a tag (and digest)")
		if strings.HasPrefix(base, "golang:") {
			goStages++
			assert.Equal(t, "$BUILDPLATFORM", platform, "%s: Go stages run on the build platform and cross-compile", f[0])
		}
	}
	assert.Equal(t, 2, goStages, "build and kustomize")

	// Each Go build cross-compiles for the target and is stamped.
	builds := 0
	for _, line := range regexp.MustCompile(`(?m)^RUN .*go (?:build|install).*$`).FindAllString(joined, -1) {
		n := strings.Count(line, "go build") + strings.Count(line, "go install")
		builds += n
		assert.Equal(t, n, strings.Count(line, "GOOS=$TARGETOS GOARCH=$TARGETARCH go "), "every go build names the target: %s", line)
	}
	assert.Equal(t, 3, builds, "krm-fn, status-controller, kustomize")
	for _, arg := range []string{"TARGETOS", "TARGETARCH", "VERSION", "COMMIT"} {
		assert.Regexp(t, `(?m)^ARG `+arg+`\b`, text)
	}
	for _, bin := range []string{"krm-fn", "status-controller"} {
		assert.Regexp(t, `-X \$\{VERSION_PKG\}\.version=\$\{VERSION\} -X \$\{VERSION_PKG\}\.commit=\$\{COMMIT\}"\s+-o /out/`+bin, joined)
	}
	assert.Contains(t, text, "ARG VERSION_PKG=github.com/rocketmq-gitops/rocketmq-gitops/internal/version")

	// .dockerignore keeps .git out, which is why the stamp is a build arg.
	ignore := readFile(t, filepath.Join(root, ".dockerignore"))
	assert.Regexp(t, `(?m)^\*$`, ignore)
	assert.NotContains(t, ignore, "!.git")
}

// TestRenderActionUsesTheScripts: the composite action for Flux users runs
// the install and render scripts of this repository (at the tag it is
// used at) and needs a pinned version.
func TestRenderActionUsesTheScripts(t *testing.T) {
	root := exampletest.ModuleRoot(t)
	var action struct {
		Inputs map[string]struct {
			Required bool   `json:"required"`
			Default  string `json:"default"`
		} `json:"inputs"`
		Runs struct {
			Using string `json:"using"`
			Steps []step `json:"steps"`
		} `json:"runs"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(readFile(t, filepath.Join(root, ".github", "actions", "render", "action.yml"))), &action))
	assert.Equal(t, "composite", action.Runs.Using)
	assert.True(t, action.Inputs["krm-fn-version"].Required, "no implicit latest")
	assert.Contains(t, action.Inputs, "krm-fn-sha256")
	for _, s := range action.Runs.Steps {
		if s.Uses != "" {
			assert.Regexp(t, pinnedAction, s.Uses)
		}
	}
	var scripts []string
	for _, s := range action.Runs.Steps {
		for _, m := range regexp.MustCompile(`\$GITHUB_ACTION_PATH/\.\./\.\./\.\./(hack/[\w.-]+)`).FindAllStringSubmatch(s.Run, -1) {
			scripts = append(scripts, m[1])
		}
	}
	assert.Equal(t, []string{"hack/install-krm-fn.sh", "hack/render.sh"}, scripts)
	for _, s := range scripts {
		info, err := os.Stat(filepath.Join(root, s))
		require.NoError(t, err)
		assert.NotZero(t, info.Mode()&0o111, "%s is executable", s)
	}
}

func findStep(steps []step, runContains string) *step {
	for i := range steps {
		if strings.Contains(steps[i].Run, runContains) {
			return &steps[i]
		}
	}
	return nil
}

func findUses(steps []step, prefix string) *step {
	for i := range steps {
		if strings.HasPrefix(steps[i].Uses, prefix) {
			return &steps[i]
		}
	}
	return nil
}

func stepIndex(steps []step, s *step) int {
	for i := range steps {
		if &steps[i] == s {
			return i
		}
	}
	return -1
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}
