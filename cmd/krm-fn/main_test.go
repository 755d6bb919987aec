package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

const validCluster = `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: orders, namespace: mq}
spec:
  broker: {replicasPerGroup: 2}
`

const invalidCluster = `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: broken, namespace: mq}
spec:
  nameserver: {replicas: 3}
  controller: {replicas: 2}
`

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, streams{in: strings.NewReader(stdin), out: &out, errOut: &errOut})
	return code, out.String(), errOut.String()
}

func resourceList(items ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, it := range items {
		for i, line := range strings.Split(strings.TrimSpace(it), "\n") {
			if i == 0 {
				b.WriteString("- " + line + "\n")
			} else {
				b.WriteString("  " + line + "\n")
			}
		}
	}
	return b.String()
}

func TestResourceListRendersAndPassesClusterThrough(t *testing.T) {
	code, stdout, stderr := runCLI(t, resourceList(validCluster))
	require.Equal(t, 0, code, stderr)
	rl, err := yaml.Parse(stdout)
	require.NoError(t, err)
	require.Equal(t, "ResourceList", rl.GetKind())
	items, err := rl.Pipe(yaml.Lookup("items"))
	require.NoError(t, err)
	elems, err := items.Elements()
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, e := range elems {
		kinds[e.GetKind()]++
	}
	require.Equal(t, 1, kinds["RocketMQCluster"], "the cluster passes through once")
	require.Positive(t, kinds["StatefulSet"], "rendered StatefulSets expected in:\n%s", stdout)
	require.Positive(t, kinds["Service"])
}

func TestResourceListErrorsExitNonZeroWithResultsAndNothingRendered(t *testing.T) {
	code, stdout, stderr := runCLI(t, resourceList(invalidCluster))
	require.Equal(t, 1, code)
	require.True(t, strings.HasSuffix(stderr, "\n"), "stderr must end with a newline: %q", stderr)
	require.Contains(t, stderr, "error: RocketMQCluster mq/broken: spec.nameserver: ")
	require.NotContains(t, stdout, "kind: StatefulSet", "nothing may be rendered on error")
	rl, err := yaml.Parse(stdout)
	require.NoError(t, err)
	results, err := rl.Pipe(yaml.Lookup("results"))
	require.NoError(t, err)
	require.NotNil(t, results, "results missing from:\n%s", stdout)
	first, err := results.Pipe(yaml.Lookup("0"))
	require.NoError(t, err)
	require.Equal(t, "error", yaml.GetValue(first.Field("severity").Value))
	require.Equal(t, "broken", yaml.GetValue(mustLookup(t, first, "resourceRef", "name")))
	require.Equal(t, "mq", yaml.GetValue(mustLookup(t, first, "resourceRef", "namespace")))
	require.Equal(t, "RocketMQCluster", yaml.GetValue(mustLookup(t, first, "resourceRef", "kind")))
	require.Equal(t, "rocketmq.gitops.dev/v1alpha1", yaml.GetValue(mustLookup(t, first, "resourceRef", "apiVersion")))
	require.NotEmpty(t, yaml.GetValue(mustLookup(t, first, "field", "path")))
}

func mustLookup(t *testing.T, n *yaml.RNode, path ...string) *yaml.RNode {
	t.Helper()
	v, err := n.Pipe(yaml.Lookup(path...))
	require.NoError(t, err)
	require.NotNil(t, v, "%v not found", path)
	return v
}

func TestResourceListWarningsExitZero(t *testing.T) {
	oneNameServer := strings.Replace(validCluster, "spec:\n", "spec:\n  nameServer: {replicas: 1}\n", 1)
	code, stdout, stderr := runCLI(t, resourceList(oneNameServer))
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "severity: warning")
	require.Contains(t, stdout, "path: spec.nameServer.replicas")
	require.Contains(t, stdout, "kind: StatefulSet")
	require.Equal(t, "warning: RocketMQCluster mq/orders: spec.nameServer.replicas: "+
		"a single NameServer is a single point of failure: clients and brokers lose routing while it restarts; use 2 or more\n", stderr)
}

func TestResourceListGarbageIsAnErrorNotAPanic(t *testing.T) {
	code, _, stderr := runCLI(t, "items: [}")
	require.Equal(t, 1, code)
	require.True(t, strings.HasSuffix(stderr, "\n"))
	require.Contains(t, stderr, "error: ")
}

func TestRenderStandalone(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cluster.yaml")
	require.NoError(t, os.WriteFile(file, []byte(validCluster), 0o600))
	other := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: mq}\n"

	code, stdout, stderr := runCLI(t, other, "render", file, "-")
	require.Equal(t, 0, code, stderr)
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(stdout)}).Read()
	require.NoError(t, err)
	names := map[string]bool{}
	for _, n := range nodes {
		names[n.GetKind()+"/"+n.GetName()] = true
	}
	require.True(t, names["RocketMQCluster/orders"], "cluster missing: %v", names)
	require.True(t, names["ConfigMap/extra"], "stdin object missing: %v", names)
	require.True(t, names["StatefulSet/orders-nameserver"], "rendered objects missing: %v", names)
	require.NotContains(t, stdout, "kind: ResourceList")
}

func TestRenderStandaloneErrorsNamePathAndField(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "broken.yaml")
	require.NoError(t, os.WriteFile(file, []byte(invalidCluster), 0o600))
	code, stdout, stderr := runCLI(t, "", "render", file)
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Contains(t, stderr, file+": error: RocketMQCluster mq/broken: spec.nameserver: ")
	require.True(t, strings.HasSuffix(stderr, "\n"))
}

func TestRenderMissingFile(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "render", filepath.Join(t.TempDir(), "nope.yaml"))
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Contains(t, stderr, "nope.yaml")
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "", "version")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(stdout, "krm-fn "), stdout)
}

func TestUnknownArgumentIsRefused(t *testing.T) {
	code, _, stderr := runCLI(t, "", "cluster.yaml")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "unknown command")
}
