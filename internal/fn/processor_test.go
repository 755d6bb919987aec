package fn

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

func mustParse(t *testing.T, s string) *yaml.RNode {
	t.Helper()
	n, err := yaml.Parse(s)
	require.NoError(t, err)
	return n
}

const clusterA = "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: a, namespace: mq}\nspec: {broker: {replicasPerGroup: 2}}\n"

func localCopy(s string) string {
	return strings.Replace(s, "namespace: mq}", "namespace: mq, annotations: {config.kubernetes.io/local-config: \"true\"}}", 1)
}

func TestFindClusters(t *testing.T) {
	tests := []struct {
		name       string
		items      []string
		fc         string
		wantLocal  []bool // per found cluster: rendered from a local-config copy?
		wantErrors int
	}{
		{name: "item only", items: []string{clusterA}, wantLocal: []bool{false}},
		{name: "functionConfig only", fc: clusterA, wantLocal: []bool{false}},
		{name: "kustomize generator: functionConfig and its local copy", items: []string{localCopy(clusterA)}, fc: localCopy(clusterA), wantLocal: []bool{true}},
		{name: "item wins over functionConfig", items: []string{clusterA}, fc: localCopy(clusterA), wantLocal: []bool{false}},
		{name: "item wins over an earlier local copy", items: []string{localCopy(clusterA), clusterA}, wantLocal: []bool{false}},
		{name: "two items", items: []string{clusterA, clusterA}, wantLocal: []bool{false}, wantErrors: 1},
		{name: "not a cluster", items: []string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"}, fc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"},
		{name: "other version", items: []string{strings.Replace(clusterA, "v1alpha1", "v2", 1)}, wantErrors: 1},
		// kustomize passes a transformer's config in as an item too: one error.
		{name: "other version as item and functionConfig", items: []string{strings.Replace(clusterA, "v1alpha1", "v2", 1)},
			fc: strings.Replace(clusterA, "v1alpha1", "v2", 1), wantErrors: 1},
		{name: "other version as functionConfig only", items: []string{clusterA}, fc: strings.Replace(clusterA, "v1alpha1", "v2", 1),
			wantLocal: []bool{false}, wantErrors: 1},
		{name: "scalar item", items: []string{"42"}, wantErrors: 1},
		{name: "metadata not a mapping", items: []string{"kind: RocketMQCluster\nmetadata: [a]\n"}, wantErrors: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items []*yaml.RNode
			for _, s := range tt.items {
				items = append(items, mustParse(t, s))
			}
			var fc *yaml.RNode
			if tt.fc != "" {
				fc = mustParse(t, tt.fc)
			}
			found, results := findClusters(items, fc)
			require.Len(t, results, tt.wantErrors, "results: %v", results)
			if tt.wantErrors > 0 {
				require.Equal(t, 1, results.ExitCode())
				return
			}
			require.Len(t, found, len(tt.wantLocal))
			for i, c := range found {
				require.Equal(t, tt.wantLocal[i], isLocalConfig(c.node), "cluster %d", i)
			}
		})
	}
}

func TestRunRendersNothingWhenOneClusterFails(t *testing.T) {
	good := mustParse(t, clusterA)
	bad := mustParse(t, strings.Replace(strings.Replace(clusterA, "name: a", "name: b", 1), "replicasPerGroup: 2", "replicasPerGroup: 0", 1))
	in := []*yaml.RNode{good, bad}
	out, results := Run(in, nil)
	require.Equal(t, 1, results.ExitCode())
	require.Equal(t, in, out, "the input must come back untouched")
	var errs []string
	for _, r := range results {
		if r.Severity == krm.Error {
			errs = append(errs, FormatResult(r))
		}
	}
	require.Equal(t, []string{"error: RocketMQCluster mq/b: spec.broker.replicasPerGroup: Invalid value: 0: must be at least 1"}, errs)
}

func TestRunWarnsWhenThereIsNoCluster(t *testing.T) {
	cm := mustParse(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	out, results := Run([]*yaml.RNode{cm}, nil)
	require.Zero(t, results.ExitCode())
	require.Len(t, results, 1)
	require.Equal(t, krm.Warning, results[0].Severity)
	require.Contains(t, results[0].Message, "no RocketMQCluster")
	require.Len(t, out, 1)
}

func TestPanicWhileRenderingBecomesAnErrorResult(t *testing.T) {
	// A node whose mapping holds a nil entry makes the YAML encoder panic.
	broken := yaml.NewRNode(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{nil, nil}})
	objs, _, results := safeRenderCluster(cluster{node: broken, ref: yaml.ResourceIdentifier{NameMeta: yaml.NameMeta{Name: "x"}}}, render.DefaultOptions())
	require.Nil(t, objs)
	require.Len(t, results, 1)
	require.Equal(t, krm.Error, results[0].Severity)
	require.True(t, strings.HasPrefix(results[0].Message, internalErrorPrefix), results[0].Message)
}

func TestProcessReturnsErrorResultsAsError(t *testing.T) {
	rl := &krm.ResourceList{Items: []*yaml.RNode{mustParse(t, "42")}}
	err := Processor{}.Process(rl)
	var results krm.Results
	require.ErrorAs(t, err, &results, "kyaml exits 0 unless Process returns an error")
	require.Equal(t, 1, results.ExitCode())
	require.Len(t, rl.Items, 1, "nothing rendered, the item kept")
}

// The passed-through cluster goes to the last Argo CD sync wave, after the
// objects rendered from it, unless its author picked a wave.
func TestClusterSyncWave(t *testing.T) {
	for _, tt := range []struct {
		name, annotations, want string
	}{
		{name: "defaulted", want: render.ClusterSyncWave},
		{name: "author's choice kept", annotations: "\n  annotations:\n    argocd.argoproj.io/sync-wave: \"7\"", want: "7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := mustParse(t, "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata:\n  name: a\n  namespace: mq"+tt.annotations+"\nspec: {}\n")
			out, results := Run([]*yaml.RNode{in}, nil)
			require.Zero(t, results.ExitCode(), "results: %v", results)
			var waves []string
			for _, o := range out {
				w := o.GetAnnotations()[render.AnnotationSyncWave]
				if o.GetKind() == "RocketMQCluster" {
					assert.Equal(t, tt.want, w)
					continue
				}
				waves = append(waves, w)
			}
			for _, w := range waves {
				assert.Less(t, w, render.ClusterSyncWave, "rendered objects sync before the cluster")
			}
		})
	}
}
