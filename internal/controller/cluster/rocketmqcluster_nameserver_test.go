package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

// TestNameServerScaleOut: 2 → 3 NameServers. Every broker ends with the
// new list through UPDATE_BROKER_CONFIG, no pod or StatefulSet is
// modified, and a converged cluster gets no update on the next reconcile.
func TestNameServerScaleOut(t *testing.T) {
	spec := twoGroups()
	spec.Broker.ReplicasPerGroup = ptr.To[int32](2)
	f := newFixture(t, spec)
	f.addStatefulSet(f.cluster().NameServerName(), v1alpha1.ComponentNameServer, -1, 2)
	f.addNameServer(0)
	f.addNameServer(1)
	old := f.nameServerList()
	brokerPods := []string{"demo-broker-0-0", "demo-broker-0-1", "demo-broker-1-0", "demo-broker-1-1"}
	for g := range int32(2) {
		f.addStatefulSet(f.cluster().BrokerGroupName(g), v1alpha1.ComponentBroker, g, 2)
		f.addBroker(g, 0, old)
		f.addBroker(g, 1, old)
	}
	startManager(t, env.Config, []string{f.ns}, testOptions())
	c := f.waitReady()
	assert.Equal(t, old, c.Status.NameServerAddresses)
	for _, b := range brokerPods {
		assert.Zero(t, f.broker(b).CallCount(admin.CodeUpdateBrokerConfig), "%s already had the list", b)
	}

	// Git scales the NameServers; the StatefulSet controller (played by the
	// test) starts the new pod.
	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.NameServer.Replicas = ptr.To[int32](3) })
	f.scaleStatefulSet(f.cluster().NameServerName(), 3)
	f.addNameServer(2)
	want := f.nameServerList()
	require.Len(t, want, 3)
	before := f.resourceVersions()

	for _, b := range brokerPods {
		require.Eventually(t, func() bool {
			got, err := f.brokerNameServers(b)
			return err == nil && nsaddr.Equal(got, want)
		}, waitFor, 50*1e6, "broker %s never got %v", b, want)
		assert.Equal(t, 1, f.broker(b).CallCount(admin.CodeUpdateBrokerConfig), b)
	}
	c = f.waitStatus("new list in status", func(c *v1alpha1.RocketMQCluster) bool {
		return nsaddr.Equal(c.Status.NameServerAddresses, want) && isTrue(c, v1alpha1.ConditionReady)
	})
	assert.Equal(t, int32(3), c.Status.NameServer.Ready)
	f.checkConfigMap(want)
	assert.Equal(t, before, f.resourceVersions(), "the controller must not modify pods or StatefulSets")

	// A converged cluster: the next reconcile reads, and sends nothing.
	for _, b := range brokerPods {
		f.broker(b).ResetCounts()
	}
	gen := f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.Metrics.Interval = "40s" })
	f.waitStatus("generation observed", func(c *v1alpha1.RocketMQCluster) bool { return c.Status.ObservedGeneration == gen })
	for _, b := range brokerPods {
		assert.Positive(t, f.broker(b).CallCount(admin.CodeGetBrokerConfig), "%s was checked", b)
		assert.Zero(t, f.broker(b).CallCount(admin.CodeUpdateBrokerConfig), "%s got an update it did not need", b)
	}
	assert.Equal(t, before, f.resourceVersions())

	// Status is written only when it changes: a reconcile of the converged
	// cluster (seen by its broker reads) leaves the resourceVersion alone.
	for _, b := range brokerPods {
		f.broker(b).ResetCounts()
	}
	cl := f.cluster()
	cl.Annotations = map[string]string{"example.com/touch": "1"}
	require.NoError(t, env.Client.Update(context.Background(), cl))
	for _, b := range brokerPods {
		require.Eventually(t, func() bool { return f.broker(b).CallCount(admin.CodeGetBrokerConfig) > 0 }, waitFor, 10*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // room for a (wrong) deferred status write
	assert.Equal(t, cl.ResourceVersion, f.cluster().ResourceVersion, "an unchanged status was written")
}

// TestNameServerListHeldDuringRestart: a NameServer that is not ready does
// not shrink the brokers' list.
func TestNameServerListHeldDuringRestart(t *testing.T) {
	f := newFixture(t, twoGroups())
	f.addNameServer(0)
	ns1 := f.addNameServer(1)
	list := f.nameServerList()
	f.addBroker(0, 0, list)
	f.addBroker(1, 0, list)
	startManager(t, env.Config, []string{f.ns}, testOptions())
	f.waitReady()

	require.NoError(t, env.SetPodReady(context.Background(), ns1, ns1.Status.PodIP, false))
	c := f.waitStatus("NameServer not ready counted", func(c *v1alpha1.RocketMQCluster) bool {
		return c.Status.NameServer.Ready == 1
	})
	assert.Equal(t, list, c.Status.NameServerAddresses)
	assert.Equal(t, ReasonPodsNotReady, condition(c, v1alpha1.ConditionProgressing).Reason)
	for _, b := range []string{"demo-broker-0-0", "demo-broker-1-0"} {
		got, err := f.brokerNameServers(b)
		require.NoError(t, err)
		assert.Equal(t, list, got)
		assert.Zero(t, f.broker(b).CallCount(admin.CodeUpdateBrokerConfig))
	}
}

func (f *fixture) addStatefulSet(name, component string, group int32, replicas int32) {
	f.t.Helper()
	c := f.cluster()
	pod := testenv.NewPod(f.ns, "", c.Labels(component, group))
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name, Labels: c.Labels(component, group)},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(replicas),
			ServiceName: name,
			Selector:    &metav1.LabelSelector{MatchLabels: c.SelectorLabels(component, group)},
			Template:    corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: pod.Labels}, Spec: pod.Spec},
		},
	}
	require.NoError(f.t, env.Client.Create(context.Background(), sts))
}

func (f *fixture) scaleStatefulSet(name string, replicas int32) {
	f.t.Helper()
	sts := &appsv1.StatefulSet{}
	require.NoError(f.t, env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, sts))
	sts.Spec.Replicas = ptr.To(replicas)
	require.NoError(f.t, env.Client.Update(context.Background(), sts))
}

// resourceVersions of every pod and StatefulSet in the namespace.
func (f *fixture) resourceVersions() map[string]string {
	f.t.Helper()
	out := map[string]string{}
	var pods corev1.PodList
	require.NoError(f.t, env.Client.List(context.Background(), &pods, client.InNamespace(f.ns)))
	for _, p := range pods.Items {
		out["pod/"+p.Name] = p.ResourceVersion
	}
	var sets appsv1.StatefulSetList
	require.NoError(f.t, env.Client.List(context.Background(), &sets, client.InNamespace(f.ns)))
	for _, s := range sets.Items {
		out["statefulset/"+s.Name] = s.ResourceVersion
	}
	return out
}

// TestNameServerDNSNames: without hostNetwork the list in status and in
// the ConfigMap is the pods' stable DNS names, recorded once the headless
// Service that makes them resolvable exists, and never pushed to brokers:
// they resolve the Service themselves (fetchNameSrvAddrByDnsLookup), which
// keeps working while the controller is down.
func TestNameServerDNSNames(t *testing.T) {
	spec := twoGroups()
	spec.NameServer.HostNetwork = false
	f := newFixture(t, spec)
	svc := &corev1.Service{}
	require.NoError(t, env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: "demo-nameserver"}, svc))
	require.NoError(t, env.Client.Delete(context.Background(), svc))
	f.addPod(v1alpha1.ComponentNameServer, -1, "demo-nameserver-0", f.ip())
	f.addPod(v1alpha1.ComponentNameServer, -1, "demo-nameserver-1", f.ip())
	f.addBroker(0, 0, nil)
	f.addBroker(1, 0, nil)
	startManager(t, env.Config, []string{f.ns}, testOptions())

	c := f.waitStatus("waiting for the Service", func(c *v1alpha1.RocketMQCluster) bool {
		cd := condition(c, v1alpha1.ConditionProgressing)
		return cd != nil && cd.Reason == ReasonNameServerUpdating && strings.Contains(cd.Message, "headless Service demo-nameserver")
	})
	assert.Empty(t, c.Status.NameServerAddresses)
	assert.Zero(t, f.broker("demo-broker-0-0").CallCount(admin.CodeUpdateBrokerConfig))

	f.createHeadlessService()
	c = f.waitReady()
	want := []string{
		"demo-nameserver-0.demo-nameserver." + f.ns + ".svc:9876",
		"demo-nameserver-1.demo-nameserver." + f.ns + ".svc:9876",
	}
	assert.Equal(t, want, c.Status.NameServerAddresses)
	for _, b := range []string{"demo-broker-0-0", "demo-broker-1-0"} {
		assert.Zero(t, f.broker(b).CallCount(admin.CodeUpdateBrokerConfig), "%s was pushed a list", b)
	}
	f.checkConfigMap(want)
}
