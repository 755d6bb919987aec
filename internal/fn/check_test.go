package fn

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

const checkCluster2 = `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: orders, namespace: mq}
spec:
  broker: {groups: 2, replicasPerGroup: 2}
`

func renderedForCheck(t *testing.T) []*yaml.RNode {
	t.Helper()
	in, err := (&kio.ByteReader{Reader: strings.NewReader(checkCluster2), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	out, results := Run(in, nil)
	require.Zero(t, results.ExitCode(), "%v", results)
	return out
}

func clusterOf(t *testing.T, items []*yaml.RNode) *yaml.RNode {
	t.Helper()
	for _, n := range items {
		if n.GetKind() == v1alpha1.KindRocketMQCluster {
			return n
		}
	}
	t.Fatal("no RocketMQCluster")
	return nil
}

// TestCheck: a fresh render passes; a spec patched after the render, or a
// cluster without the annotation next to rendered objects, fails naming
// the cluster and the kustomization to fix.
func TestCheck(t *testing.T) {
	require.NoError(t, Check(renderedForCheck(t), "overlays/prod"))

	patched := renderedForCheck(t)
	require.NoError(t, clusterOf(t, patched).PipeE(yaml.Lookup("spec", "broker"), yaml.SetField("groups", yaml.NewScalarRNode("3"))))
	err := Check(patched, "overlays/prod/")
	require.Error(t, err)
	require.Contains(t, err.Error(), "RocketMQCluster mq/orders: stale render: its spec changed after krm-fn rendered it")
	require.Contains(t, err.Error(), "list the krm-fn function as a transformer in overlays/prod/kustomization.yaml")

	// Patching back to the rendered spec is fresh again; so is a spec that
	// only spells out a default.
	require.NoError(t, clusterOf(t, patched).PipeE(yaml.Lookup("spec", "broker"), yaml.SetField("groups", yaml.NewScalarRNode("2"))))
	require.NoError(t, clusterOf(t, patched).PipeE(yaml.Lookup("spec"), yaml.SetField("image", yaml.NewScalarRNode(v1alpha1.DefaultImage))))
	require.NoError(t, Check(patched, ""))

	unrecorded := renderedForCheck(t)
	_, err = clusterOf(t, unrecorded).Pipe(yaml.ClearAnnotation(v1alpha1.AnnotationRenderedSpecHash))
	require.NoError(t, err)
	err = Check(unrecorded, "")
	require.Error(t, err)
	require.Contains(t, err.Error(), "RocketMQCluster mq/orders: stale render: ")
	require.Contains(t, err.Error(), "no "+v1alpha1.AnnotationRenderedSpecHash+" annotation")
	require.Contains(t, err.Error(), "the kustomization that patches the spec")

	// A cluster alone (nothing rendered yet, nothing recorded) is not stale;
	// objects not rendered by us do not count.
	alone, err := (&kio.ByteReader{Reader: strings.NewReader(checkCluster2 + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: mq, labels: {rocketmq.gitops.dev/cluster: orders}}\n"), OmitReaderAnnotations: true}).Read()
	require.NoError(t, err)
	require.NoError(t, Check(alone, ""))
}

// TestRerenderAfterPatch is the overlay case without kustomize: the
// function run again on its own output after a spec patch replaces the
// objects rendered before and records the new hash.
func TestRerenderAfterPatch(t *testing.T) {
	items := renderedForCheck(t)
	before := len(items)
	require.NoError(t, clusterOf(t, items).PipeE(yaml.Lookup("spec", "broker"), yaml.SetField("groups", yaml.NewScalarRNode("3"))))
	out, results := Run(items, nil)
	require.Zero(t, results.ExitCode(), "%v", results)
	require.NoError(t, Check(out, ""))
	var brokers []string
	for _, n := range out {
		if n.GetKind() == "StatefulSet" && strings.HasPrefix(n.GetName(), "orders-broker-") {
			brokers = append(brokers, n.GetName())
		}
	}
	require.Equal(t, []string{"orders-broker-0", "orders-broker-1", "orders-broker-2"}, brokers)
	require.Greater(t, len(out), before)
}
