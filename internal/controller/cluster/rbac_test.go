package cluster

import (
	"bytes"
	"context"
	"errors"
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
)

const (
	bundleNamespace      = "rocketmq-gitops-system"
	bundleServiceAccount = "rocketmq-gitops-status-controller"
)

// installBundle builds config/default with the pinned kustomize.
func installBundle(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	kustomize := os.Getenv("KUSTOMIZE")
	if kustomize == "" {
		kustomize = filepath.Join(env.Root, "bin", "kustomize-v5.8.2")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, kustomize, "build", filepath.Join(env.Root, "config", "default")).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("kustomize build config/default: %v\n%s", err, ee.Stderr)
	}
	require.NoError(t, err, "kustomize build config/default with %s (make test builds it)", kustomize)
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
// ServiceAccount with exactly the bundle's RBAC: cluster-wide cache, leader
// election, the ACL Secret, status, its ConfigMap and Events. A verb
// missing from the bundle makes a step below time out.
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

// TestRBACBundleIsTight: the bundle grants writes only on status, its
// ConfigMaps, Events, the Lease and the finalizers of topics and groups,
// and Secrets only by name (get).
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
		"ClusterRole /configmaps":                                 "create,get,list,update,watch",
		"ClusterRole /secrets":                                    "get",
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
