package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

const (
	bundleNamespace      = "rocketmq-gitops-system"
	bundleServiceAccount = "rocketmq-gitops-status-controller"
)

// installBundle builds config/default with the pinned kustomize.
func installBundle(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	return buildConfig(t, "default")
}

// buildConfig builds config/<dir> with the pinned kustomize.
func buildConfig(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	kustomize := os.Getenv("KUSTOMIZE")
	if kustomize == "" {
		kustomize = filepath.Join(env.Root, "bin", "kustomize-v5.8.2")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, kustomize, "build", filepath.Join(env.Root, "config", dir)).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("kustomize build config/%s: %v\n%s", dir, err, ee.Stderr)
	}
	require.NoError(t, err, "kustomize build config/%s with %s (make test builds it)", dir, kustomize)
	require.NotEmpty(t, bytes.TrimSpace(out), "kustomize printed nothing")
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			break
		} else {
			require.NoError(t, err)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
	return objs
}

// TestRBACBundleIsEnough runs the controller as the install bundle's
// ServiceAccount with exactly the bundle's RBAC (cluster-wide cache, leader
// election, status, Events) plus the Role the KRM function renders for the
// cluster (the ACL Secret and the NameServer address ConfigMap, by name).
// A verb missing from either makes a step below time out.
func TestRBACBundleIsEnough(t *testing.T) {
	applyBundleRBAC(t)
	auth := &rmqtest.Auth{AccessKey: "rocketmq-admin", SecretKey: "s3cret-value"}
	spec := twoGroups()
	spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: "mq-admin"}}
	f := newFixture(t, spec, withAuth(auth))
	require.NoError(t, env.Client.Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "mq-admin"},
		StringData: map[string]string{"username": auth.AccessKey, "password": auth.SecretKey},
	}))
	applyRenderedRole(t, f.ns, f.name, spec)
	f.addNameServer(0)
	f.addNameServer(1)
	stale := []string{"127.0.0.1:1"} // brokers start with a wrong list
	f.addBroker(0, 0, stale)
	f.addBroker(1, 0, stale)

	cfg := env.ImpersonatedConfig(bundleNamespace, bundleServiceAccount)
	startManager(t, cfg, nil, testOptions(), func(o *ctrl.Options) {
		o.LeaderElection = true
		o.LeaderElectionID = "rocketmq-gitops-status-controller"
		o.LeaderElectionNamespace = bundleNamespace
		o.LeaderElectionReleaseOnCancel = true
		o.LeaseDuration, o.RenewDeadline, o.RetryPeriod = ptr.To(4*time.Second), ptr.To(3*time.Second), ptr.To(500*time.Millisecond)
	})
	c := f.waitReady()
	want := f.nameServerList()
	assert.Equal(t, want, c.Status.NameServerAddresses)
	for _, b := range []string{"demo-broker-0-0", "demo-broker-1-0"} {
		got, err := f.brokerNameServers(b)
		require.NoError(t, err)
		assert.Equal(t, want, got, "signed UPDATE_BROKER_CONFIG reached %s", b)
	}
	f.checkConfigMap(want)
	f.waitEvent(ReasonBrokerUpdated, "demo-broker-0-0")
}

// TestRBACBundleIsTight: the bundle grants writes only on status, Events,
// the Lease and the finalizers of topics and groups, and nothing on
// Secrets or ConfigMaps: those come from each cluster's rendered Role, by
// name.
func TestRBACBundleIsTight(t *testing.T) {
	got := map[string]string{}
	for _, o := range installBundle(t) {
		if o.GetKind() != "ClusterRole" && o.GetKind() != "Role" {
			continue
		}
		raw, err := yaml.Marshal(o.Object)
		require.NoError(t, err)
		var role rbacv1.ClusterRole
		require.NoError(t, yaml.Unmarshal(raw, &role))
		for _, r := range role.Rules {
			for _, g := range r.APIGroups {
				for _, res := range r.Resources {
					verbs := append([]string(nil), r.Verbs...)
					sort.Strings(verbs)
					got[o.GetKind()+" "+g+"/"+res] = strings.Join(verbs, ",")
				}
			}
		}
	}
	want := map[string]string{
		"ClusterRole /pods":                                       "get,list,watch",
		"ClusterRole /services":                                   "get,list,watch",
		"ClusterRole apps/statefulsets":                           "delete,get,list,watch",
		"ClusterRole /events":                                     "create,patch",
		"ClusterRole events.k8s.io/events":                        "create,patch",
		"ClusterRole rocketmq.gitops.dev/rocketmqclusters":        "get,list,watch",
		"ClusterRole rocketmq.gitops.dev/rocketmqclusters/status": "patch",
		"Role coordination.k8s.io/leases":                         "create,get,update",
		// The RocketMQTopic and RocketMQConsumerGroup controller: status,
		// its finalizer, and namespace labels for the cluster's selector.
		"ClusterRole /namespaces":                                           "get,list,watch",
		"ClusterRole rocketmq.gitops.dev/rocketmqtopics":                    "get,list,patch,update,watch",
		"ClusterRole rocketmq.gitops.dev/rocketmqtopics/status":             "patch",
		"ClusterRole rocketmq.gitops.dev/rocketmqtopics/finalizers":         "update",
		"ClusterRole rocketmq.gitops.dev/rocketmqconsumergroups":            "get,list,patch,update,watch",
		"ClusterRole rocketmq.gitops.dev/rocketmqconsumergroups/status":     "patch",
		"ClusterRole rocketmq.gitops.dev/rocketmqconsumergroups/finalizers": "update",
	}
	for k := range got {
		if strings.Contains(k, "topictransfer") {
			delete(got, k) // the TopicTransfer controller's own rules
		}
	}
	assert.Equal(t, want, got)
}

// applyRenderedRole renders the cluster and applies the status
// controller's Role and RoleBinding, as GitOps would, then waits until the
// API server's authorizer grants them.
func applyRenderedRole(t *testing.T, ns, name string, spec v1alpha1.RocketMQClusterSpec) {
	t.Helper()
	applyRenderedRoleFor(t, ns, name, spec, bundleServiceAccount)
}

// applyRenderedRoleFor is applyRenderedRole binding the Role to the
// ServiceAccount bundleNamespace/serviceAccount.
func applyRenderedRoleFor(t *testing.T, ns, name string, spec v1alpha1.RocketMQClusterSpec, serviceAccount string) {
	t.Helper()
	c := &v1alpha1.RocketMQCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: *spec.DeepCopy()}
	c.Default()
	objs, err := render.RenderWith(c, render.Options{StatusController: render.StatusController{
		Namespace: bundleNamespace, ServiceAccount: serviceAccount}})
	require.NoError(t, err)
	n := 0
	for _, o := range objs {
		if o.GetKind() == "Role" || o.GetKind() == "RoleBinding" {
			require.NoError(t, env.Client.Create(context.Background(), o), "creating %s %s", o.GetKind(), o.GetName())
			n++
		}
	}
	require.Equal(t, 2, n, "the render holds one Role and one RoleBinding")
	sa, err := env.ImpersonatedClient(bundleNamespace, serviceAccount)
	require.NoError(t, err)
	cm := &corev1.ConfigMap{}
	for deadline := time.Now().Add(waitFor); ; time.Sleep(20 * time.Millisecond) {
		err := sa.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: c.NameServerAddressesConfigMapName()}, cm)
		if err == nil || apierrors.IsNotFound(err) {
			return
		}
		if time.Now().After(deadline) {
			require.NoError(t, err, "the rendered Role never took effect")
		}
	}
}

// TestRBACRenderedRoleIsolation impersonates the status controller's
// ServiceAccount with the bundle and one cluster's rendered Role: the
// cluster's own admin Secret and address ConfigMap are in reach, every
// other Secret and ConfigMap (same namespace, or another namespace holding
// objects of the same names) is not, and nothing can be listed. Creating
// a ConfigMap is allowed, but overwriting an existing one is not.
func TestRBACRenderedRoleIsolation(t *testing.T) {
	applyBundleRBAC(t)
	ctx := context.Background()
	ns, other := env.NewNamespace(t, ""), env.NewNamespace(t, "")
	spec := twoGroups()
	spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: "mq-admin"}}
	for _, n := range []string{ns, other} {
		for _, name := range []string{"mq-admin", "foreign"} {
			require.NoError(t, env.Client.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: n, Name: name},
				StringData: map[string]string{"password": "x"}}))
		}
		for _, name := range []string{"demo-nameserver-addresses", "argocd-rbac-cm"} {
			require.NoError(t, env.Client.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: n, Name: name},
				Data: map[string]string{"k": "v"}}))
		}
	}
	applyRenderedRole(t, ns, "demo", spec)
	sa, err := env.ImpersonatedClient(bundleNamespace, bundleServiceAccount)
	require.NoError(t, err)

	reach := func(n, name string, obj client.Object) error {
		return sa.Get(ctx, client.ObjectKey{Namespace: n, Name: name}, obj)
	}
	require.NoError(t, reach(ns, "mq-admin", &corev1.Secret{}), "the cluster's own admin Secret")
	own := &corev1.ConfigMap{}
	require.NoError(t, reach(ns, "demo-nameserver-addresses", own), "the cluster's own ConfigMap")
	own.Data = map[string]string{"namesrvAddr": "a:9876"}
	require.NoError(t, sa.Update(ctx, own), "the controller updates its own ConfigMap")

	for _, c := range []struct {
		ns, name string
		obj      client.Object
	}{
		{ns, "foreign", &corev1.Secret{}},
		{other, "mq-admin", &corev1.Secret{}},
		{ns, "argocd-rbac-cm", &corev1.ConfigMap{}},
		{other, "demo-nameserver-addresses", &corev1.ConfigMap{}},
	} {
		err := reach(c.ns, c.name, c.obj)
		assert.True(t, apierrors.IsForbidden(err), "get %T %s/%s: %v", c.obj, c.ns, c.name, err)
	}
	assert.True(t, apierrors.IsForbidden(sa.List(ctx, &corev1.SecretList{}, client.InNamespace(ns))), "list Secrets")
	assert.True(t, apierrors.IsForbidden(sa.List(ctx, &corev1.ConfigMapList{}, client.InNamespace(ns))), "list ConfigMaps")
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "argocd-rbac-cm"}, Data: map[string]string{"policy.csv": "p, *, *, *, allow"}}
	assert.True(t, apierrors.IsForbidden(sa.Update(ctx, foreign)), "update a foreign ConfigMap")
	assert.True(t, apierrors.IsForbidden(sa.Delete(ctx, foreign)), "delete a foreign ConfigMap")
	err = sa.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "argocd-rbac-cm"}})
	assert.True(t, apierrors.IsAlreadyExists(err), "create may not replace an existing ConfigMap: %v", err)
	err = sa.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: other, Name: "new"}})
	assert.True(t, apierrors.IsForbidden(err), "no create outside the cluster's namespace: %v", err)
}

// TestRBACNamespacedModeIsEnough runs the controller in the namespaced
// install mode (config/namespaced: --namespaces, a Role instead of the
// ClusterRole) as a ServiceAccount of its own, so that no ClusterRole of
// another test can help: with the overlay's Role moved into the cluster's
// namespace and the cluster's rendered Role, it brings an ACL cluster to
// Ready and propagates NameServer addresses. The overlay holds no
// ClusterRole or ClusterRoleBinding at all.
func TestRBACNamespacedModeIsEnough(t *testing.T) {
	const sa = "rocketmq-gitops-status-controller-namespaced"
	auth := &rmqtest.Auth{AccessKey: "rocketmq-admin", SecretKey: "s3cret-value"}
	spec := twoGroups()
	spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: "mq-admin"}}
	f := newFixture(t, spec, withAuth(auth))
	ctx := context.Background()
	require.NoError(t, env.Client.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "mq-admin"},
		StringData: map[string]string{"username": auth.AccessKey, "password": auth.SecretKey},
	}))
	var args []any
	n := 0
	for _, o := range buildConfig(t, "namespaced") {
		switch o.GetKind() {
		case "ClusterRole", "ClusterRoleBinding":
			t.Errorf("the namespaced mode holds %s %s", o.GetKind(), o.GetName())
		case "Deployment":
			args, _, _ = unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		case "Namespace":
			require.NoError(t, env.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(o), client.FieldOwner("rbac-test"), client.ForceOwnership))
		case "Role", "RoleBinding":
			if o.GetNamespace() != bundleNamespace {
				o.SetNamespace(f.ns) // the watched namespace
			}
			o.SetName(o.GetName() + "-namespaced")
			if o.GetKind() == "RoleBinding" {
				ref, _, _ := unstructured.NestedString(o.Object, "roleRef", "name")
				require.NoError(t, unstructured.SetNestedField(o.Object, ref+"-namespaced", "roleRef", "name"))
				require.NoError(t, unstructured.SetNestedSlice(o.Object, []any{map[string]any{
					"kind": "ServiceAccount", "name": sa, "namespace": bundleNamespace}}, "subjects"))
			}
			require.NoError(t, env.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(o), client.FieldOwner("rbac-test"), client.ForceOwnership))
			n++
		}
	}
	require.Equal(t, 4, n, "the overlay's Roles and RoleBindings")
	assert.Contains(t, fmt.Sprint(args), "--namespaces=rocketmq")
	applyRenderedRoleFor(t, f.ns, f.name, spec, sa)
	f.addNameServer(0)
	f.addNameServer(1)
	stale := []string{"127.0.0.1:1"}
	f.addBroker(0, 0, stale)
	f.addBroker(1, 0, stale)

	startManager(t, env.ImpersonatedConfig(bundleNamespace, sa), []string{f.ns}, testOptions())
	c := f.waitReady()
	want := f.nameServerList()
	assert.Equal(t, want, c.Status.NameServerAddresses)
	got, err := f.brokerNameServers("demo-broker-0-0")
	require.NoError(t, err)
	assert.Equal(t, want, got, "signed UPDATE_BROKER_CONFIG reached the broker")
	f.checkConfigMap(want)
}

// applyBundleRBAC applies the bundle's Namespace, ServiceAccount, roles and
// bindings to the test API server.
func applyBundleRBAC(t *testing.T) {
	t.Helper()
	kinds := map[string]bool{"Namespace": true, "ServiceAccount": true, "ClusterRole": true, "ClusterRoleBinding": true, "Role": true, "RoleBinding": true}
	n := 0
	for _, o := range installBundle(t) {
		if !kinds[o.GetKind()] {
			continue
		}
		err := env.Client.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(o), client.FieldOwner("rbac-test"), client.ForceOwnership)
		require.NoError(t, err, "applying %s %s", o.GetKind(), o.GetName())
		n++
	}
	require.GreaterOrEqual(t, n, 6)
	waitBundleRBAC(t)
}

// waitBundleRBAC waits until the API server's RBAC authorizer, which reads
// roles and bindings through informers, grants the bundle's ServiceAccount
// what it was just given: a manager started earlier meets Forbidden and
// backs off its lists and its leader election, which a busy machine
// stretches past the test's waits.
func waitBundleRBAC(t *testing.T) {
	t.Helper()
	sa, err := client.New(env.ImpersonatedConfig(bundleNamespace, bundleServiceAccount), client.Options{Scheme: env.Scheme})
	require.NoError(t, err)
	ctx := context.Background()
	for deadline := time.Now().Add(waitFor); ; time.Sleep(20 * time.Millisecond) {
		// The ClusterRole and its binding, then the Role and its binding
		// (the leader-election Lease, NotFound until first held).
		err := sa.List(ctx, &v1alpha1.RocketMQClusterList{})
		if err == nil {
			err = sa.Get(ctx, client.ObjectKey{Namespace: bundleNamespace, Name: "rocketmq-gitops-status-controller"}, &coordinationv1.Lease{})
			if err == nil || apierrors.IsNotFound(err) {
				return
			}
		}
		if time.Now().After(deadline) {
			require.NoError(t, err, "the bundle's RBAC never took effect")
		}
	}
}

// TestACLSecretMissing: without the ACL Secret the cluster is Degraded,
// no broker is contacted, and the error names the Secret, never a value;
// once the Secret exists the retry brings the cluster to Ready.
func TestACLSecretMissing(t *testing.T) {
	auth := &rmqtest.Auth{AccessKey: "rocketmq-admin", SecretKey: "another-s3cret"}
	spec := twoGroups()
	spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: "mq-admin", UsernameKey: "user", PasswordKey: "pass"}}
	f := newFixture(t, spec, withAuth(auth))
	f.addNameServer(0)
	f.addNameServer(1)
	list := f.nameServerList()
	f.addBroker(0, 0, list)
	f.addBroker(1, 0, list)
	startManager(t, env.Config, []string{f.ns}, testOptions())

	c := f.waitStatus("Degraded without the Secret", func(c *v1alpha1.RocketMQCluster) bool { return isTrue(c, v1alpha1.ConditionDegraded) })
	cd := condition(c, v1alpha1.ConditionDegraded)
	assert.Equal(t, ReasonAdminUnavailable, cd.Reason)
	assert.Contains(t, cd.Message, "mq-admin")
	assert.Zero(t, f.broker("demo-broker-0-0").CallCount(admin.CodeGetBrokerConfig), "no credentials, no broker calls")

	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "mq-admin"},
		StringData: map[string]string{"username": auth.AccessKey, "password": auth.SecretKey}}
	require.NoError(t, env.Client.Create(context.Background(), secret))
	c = f.waitStatus("the missing keys named", func(c *v1alpha1.RocketMQCluster) bool {
		cd := condition(c, v1alpha1.ConditionDegraded)
		return cd != nil && strings.Contains(cd.Message, `"user"`)
	})
	assert.NotContains(t, condition(c, v1alpha1.ConditionDegraded).Message, auth.SecretKey)

	secret.StringData = map[string]string{"user": auth.AccessKey, "pass": auth.SecretKey}
	require.NoError(t, env.Client.Update(context.Background(), secret))
	f.waitReady()
}
