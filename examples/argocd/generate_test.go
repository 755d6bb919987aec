package argocd_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/renderdiff"
)

type application struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Source struct {
			RepoURL        string `json:"repoURL"`
			TargetRevision string `json:"targetRevision"`
			Path           string `json:"path"`
			Plugin         *struct {
				Name string `json:"name"`
				Env  []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"env"`
			} `json:"plugin"`
		} `json:"source"`
	} `json:"spec"`
}

func readApplication(t *testing.T, path string) application {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var app application
	require.NoError(t, yaml.Unmarshal(data, &app))
	return app
}

// sidecar is the plugin container as the tests see it: the generate
// command from plugin.yaml (mapped to the script the image installs) and
// a PATH holding only what the image holds.
type sidecar struct {
	t       *testing.T
	command []string
	path    string
}

func newSidecar(t *testing.T, krmFnDir string) sidecar {
	t.Helper()
	root := exampletest.ModuleRoot(t)
	stages := parseDockerfile(t, filepath.Join(root, "Dockerfile"))
	copies := stageNamed(t, stages, "argocd-cmp").copies()
	command := pluginGenerateCommand(t)
	script, ok := copies[command[0]]
	require.True(t, ok, "the image installs no %s", command[0])
	command[0] = filepath.Join(root, script)

	kustomizeDir := t.TempDir()
	require.NoError(t, os.Symlink(exampletest.Kustomize(t), filepath.Join(kustomizeDir, "kustomize")))
	return sidecar{t: t, command: command, path: strings.Join([]string{krmFnDir, kustomizeDir, "/usr/bin", "/bin"}, ":")}
}

// unpack copies a directory of the repository the way argocd-cmp-server
// receives it: a fresh tree under the sidecar's /tmp, files without their
// executable bit (preserveFileMode: false). It returns the new repo root.
func unpack(t *testing.T, dirs ...string) string {
	t.Helper()
	root := exampletest.ModuleRoot(t)
	dst := t.TempDir()
	for _, d := range dirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			require.NoError(t, os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755))
			return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		})
		require.NoError(t, err)
	}
	return dst
}

type generateResult struct {
	stdout, stderr string
	exitCode       int
}

// generate runs the command as argocd-cmp-server does: in the app's source
// directory, with the sidecar's environment, Argo CD's build environment
// and the Application's plugin env prefixed with ARGOCD_ENV_.
func (s sidecar) generate(repo string, app application, extraEnv ...string) generateResult {
	s.t.Helper()
	src := app.Spec.Source
	env := []string{
		"PATH=" + s.path, "HOME=" + s.t.TempDir(), "TMPDIR=" + s.t.TempDir(),
		"ARGOCD_APP_NAME=" + app.Metadata.Name,
		"ARGOCD_APP_NAMESPACE=" + app.Metadata.Namespace,
		"ARGOCD_APP_REVISION=0123456789abcdef0123456789abcdef01234567",
		"ARGOCD_APP_REVISION_SHORT=0123456",
		"ARGOCD_APP_SOURCE_PATH=" + src.Path,
		"ARGOCD_APP_SOURCE_REPO_URL=" + src.RepoURL,
		"ARGOCD_APP_SOURCE_TARGET_REVISION=" + src.TargetRevision,
		"KUBE_VERSION=1.37.2",
		"KUBE_API_VERSIONS=v1,apps/v1,policy/v1,rocketmq.gitops.dev/v1alpha1",
	}
	if src.Plugin != nil {
		for _, e := range src.Plugin.Env {
			env = append(env, "ARGOCD_ENV_"+e.Name+"="+e.Value)
		}
	}
	cmd := exec.Command(s.command[0], s.command[1:]...)
	cmd.Dir = filepath.Join(repo, src.Path)
	cmd.Env = append(env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := exampletest.ExitCode(err)
	require.NotEqual(s.t, -1, code, "running %v: %v", s.command, err)
	return generateResult{stdout: stdout.String(), stderr: stderr.String(), exitCode: code}
}

func kindsAndNames(t *testing.T, out string) map[string]bool {
	t.Helper()
	objs, err := renderdiff.Parse([]byte(out))
	require.NoError(t, err, "generate must print only Kubernetes objects")
	seen := map[string]bool{}
	for _, o := range objs {
		id, err := renderdiff.IDOf(o)
		require.NoError(t, err)
		seen[id.String()] = true
	}
	return seen
}

func TestGenerateRendersTheExampleApplication(t *testing.T) {
	app := readApplication(t, "apps/orders-cluster.yaml")
	require.NotNil(t, app.Spec.Source.Plugin)
	assert.Equal(t, readPlugin(t).Metadata.Name, app.Spec.Source.Plugin.Name, "the Application names the plugin")

	repo := unpack(t, app.Spec.Source.Path)
	res := newSidecar(t, exampletest.KRMFn(t)).generate(repo, app)
	require.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
	objs := kindsAndNames(t, res.stdout)
	for _, want := range []string{
		"RocketMQCluster/mq/orders", "StatefulSet/mq/orders-nameserver", "StatefulSet/mq/orders-controller",
		"StatefulSet/mq/orders-broker-0", "StatefulSet/mq/orders-broker-1", "Deployment/mq/orders-proxy",
		"Deployment/mq/orders-dashboard",
	} {
		assert.True(t, objs[want], "%s missing from the render", want)
	}
}

func TestGenerateFailsOnABadSpec(t *testing.T) {
	app := readApplication(t, "apps/orders-cluster.yaml")
	repo := unpack(t, app.Spec.Source.Path)
	spec := filepath.Join(repo, app.Spec.Source.Path, "cluster.yaml")
	data, err := os.ReadFile(spec)
	require.NoError(t, err)
	bad := strings.Replace(string(data), "nameServer: {replicas: 3}", "nameserver: {replicas: 3}", 1)
	require.NotEqual(t, string(data), bad)
	require.NoError(t, os.WriteFile(spec, []byte(bad), 0o644))

	res := newSidecar(t, exampletest.KRMFn(t)).generate(repo, app)
	assert.Equal(t, 1, res.exitCode)
	assert.Empty(t, res.stdout, "nothing may reach Argo CD")
	assert.Contains(t, res.stderr, "nameserver", "the function's error names the bad field")
	assert.Contains(t, res.stderr, "orders-rocketmq: kustomize build . failed")
}

// emptyFn stands in for a krm-fn that renders nothing, the way kustomize
// behaves when exec functions are skipped.
const emptyFn = "#!/bin/sh\ncat >/dev/null\nprintf 'apiVersion: config.kubernetes.io/v1\\nkind: ResourceList\\nitems: []\\n'\n"

func TestGenerateFailsOnEmptyOutput(t *testing.T) {
	app := readApplication(t, "apps/orders-cluster.yaml")
	fnDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(fnDir, "krm-fn"), []byte(emptyFn), 0o755))

	res := newSidecar(t, fnDir).generate(unpack(t, app.Spec.Source.Path), app)
	assert.Equal(t, 1, res.exitCode)
	assert.Empty(t, res.stdout)
	assert.Contains(t, res.stderr, "rendered NOTHING")
}

func TestGenerateFailsWhenTheFunctionDidNotRun(t *testing.T) {
	app := readApplication(t, "apps/orders-cluster.yaml")
	repo := unpack(t, app.Spec.Source.Path)
	k := filepath.Join(repo, app.Spec.Source.Path, "kustomization.yaml")
	require.NoError(t, os.WriteFile(k, []byte("resources: [cluster.yaml]\n"), 0o644))

	res := newSidecar(t, exampletest.KRMFn(t)).generate(repo, app)
	assert.Equal(t, 1, res.exitCode)
	assert.Empty(t, res.stdout, "the RocketMQCluster alone would prune every rendered object")
	assert.Contains(t, res.stderr, "rendered no RocketMQ object")
}

func TestGenerateOverlayVariable(t *testing.T) {
	app := readApplication(t, "apps/orders-cluster.yaml")
	repo := unpack(t, app.Spec.Source.Path)
	sc := newSidecar(t, exampletest.KRMFn(t))

	// A second overlay below the source path: the same cluster in mq-prod.
	dir := filepath.Join(repo, app.Spec.Source.Path)
	spec, err := os.ReadFile(filepath.Join(dir, "cluster.yaml"))
	require.NoError(t, err)
	sub := filepath.Join(dir, "prod")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "cluster.yaml"),
		[]byte(strings.Replace(string(spec), "namespace: mq\n", "namespace: mq-prod\n", 1)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "kustomization.yaml"),
		[]byte("resources: [cluster.yaml]\ntransformers: [cluster.yaml]\n"), 0o644))
	res := sc.generate(repo, app, "ARGOCD_ENV_OVERLAY=prod")
	require.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
	assert.True(t, kindsAndNames(t, res.stdout)["StatefulSet/mq-prod/orders-broker-0"])

	for _, bad := range []string{"..", "prod/../..", "/etc", "missing"} {
		res := sc.generate(repo, app, "ARGOCD_ENV_OVERLAY="+bad)
		assert.Equal(t, 1, res.exitCode, "ARGOCD_ENV_OVERLAY=%s", bad)
		assert.Empty(t, res.stdout)
		assert.Contains(t, res.stderr, "ARGOCD_ENV_OVERLAY="+bad)
	}
}
