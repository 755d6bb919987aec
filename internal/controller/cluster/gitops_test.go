package cluster

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

// gitOpsManager is the field manager Argo CD's server-side apply uses.
const gitOpsManager = "argocd-controller"

// gitOpsObjects is what Git holds for the fixture's cluster: the
// RocketMQCluster and everything the renderer makes of it.
func (f *fixture) gitOpsObjects(spec v1alpha1.RocketMQClusterSpec) []*unstructured.Unstructured {
	f.t.Helper()
	c := &v1alpha1.RocketMQCluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: v1alpha1.KindRocketMQCluster},
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: f.name},
		Spec:       spec,
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(c)
	require.NoError(f.t, err)
	delete(m, "status")
	unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
	out := []*unstructured.Unstructured{{Object: m}}
	defaulted := c.DeepCopy()
	defaulted.Default()
	rendered, err := render.Render(defaulted)
	require.NoError(f.t, err)
	return append(out, rendered...)
}

// applyAll server-side applies objs as the GitOps engine, without forcing
// (a field another manager took would be a conflict), and returns their
// resourceVersions afterwards.
func (f *fixture) applyAll(objs []*unstructured.Unstructured) map[string]string {
	f.t.Helper()
	for _, o := range objs {
		ac := client.ApplyConfigurationFromUnstructured(o.DeepCopy())
		err := env.Client.Apply(context.Background(), ac, client.FieldOwner(gitOpsManager))
		require.NoError(f.t, err, "applying %s %s", o.GetKind(), o.GetName())
	}
	return f.objectVersions(objs)
}

// TestGitOpsFidelity: the rendered cluster applied as Argo CD would, the
// controller runs scale-out and NameServer scenarios, and applying Git
// again conflicts with nothing and changes nothing.
func TestGitOpsFidelity(t *testing.T) {
	spec := twoGroups()
	f := newBareFixture(t)
	objs := f.gitOpsObjects(spec)
	f.applyAll(objs)
	renderedRV := f.objectVersions(objs[1:])

	topics, groups := readyTwoGroups(t, f, 4)
	startManager(t, env.Config, []string{f.ns}, testOptions())
	f.waitReady()
	assert.Equal(t, renderedRV, f.objectVersions(objs[1:]), "the controller wrote a rendered object")

	// Git changes: a third broker group and a third NameServer.
	spec.Broker.Groups = ptr.To[int32](3)
	spec.NameServer.Replicas = ptr.To[int32](3)
	objs = f.gitOpsObjects(spec)
	renderedRV = f.applyAll(objs)
	delete(renderedRV, v1alpha1.KindRocketMQCluster+"/"+f.name) // its status moves on
	f.addNameServer(2)
	f.addBroker(2, 0, f.nameServerList())
	c := f.waitStatus("scaled and synced", func(c *v1alpha1.RocketMQCluster) bool {
		return isTrue(c, v1alpha1.ConditionReady) && len(c.Status.NameServerAddresses) == 3 &&
			groupState(c, 2).Metadata == v1alpha1.MetadataSynced
	})
	f.checkCopied("demo-broker-2-0", topics, groups)
	assert.Equal(t, renderedRV, f.objectVersions(objs[1:]), "the controller wrote a rendered object")

	// Git applied again: no conflict, no change to any object.
	before := f.objectVersions(objs)
	assert.Equal(t, before, f.applyAll(objs))
	for _, mf := range c.ManagedFields {
		if mf.Manager == FieldOwner {
			assert.Equal(t, "status", mf.Subresource, "the controller owns only status of the RocketMQCluster")
		}
	}
}

// newBareFixture is a fixture whose objects come from Git (gitOpsObjects)
// rather than from the test.
func newBareFixture(t testing.TB) *fixture {
	f := newFixture(t, v1alpha1.RocketMQClusterSpec{}, skipObjects())
	return f
}

func (f *fixture) objectVersions(objs []*unstructured.Unstructured) map[string]string {
	f.t.Helper()
	out := map[string]string{}
	for _, o := range objs {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(o.GroupVersionKind())
		require.NoError(f.t, env.Client.Get(context.Background(), client.ObjectKeyFromObject(o), u))
		out[o.GetKind()+"/"+o.GetName()] = u.GetResourceVersion()
	}
	return out
}
