package cluster

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

var nextAdmin = &rmqtest.Auth{AccessKey: "rocketmq-admin-2", SecretKey: "r0tated-s3cret"}

func (f *fixture) createAdminSecret(name string, a *rmqtest.Auth) {
	f.t.Helper()
	require.NoError(f.t, env.Client.Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
		StringData: map[string]string{"username": a.AccessKey, "password": a.SecretKey},
	}))
}

func nextCondition(c *v1alpha1.RocketMQCluster, status metav1.ConditionStatus, reason string) bool {
	cd := condition(c, v1alpha1.ConditionNextAdminCredentialsAccepted)
	return cd != nil && cd.Status == status && cd.Reason == reason && cd.ObservedGeneration == c.Generation
}

// userWrites counts AUTH_CREATE_USER and AUTH_UPDATE_USER on every broker.
func (f *fixture) userWrites(names ...string) (creates, updates int) {
	for _, n := range names {
		creates += f.broker(n).CallCount(admin.CodeAuthCreateUser)
		updates += f.broker(n).CallCount(admin.CodeAuthUpdateUser)
	}
	return creates, updates
}

// TestRotateAdminCredentials walks the documented rotation on brokers
// that check every signature against their own user store:
//   - a next Secret with the current username is refused (Degraded, no
//     broker written);
//   - a new username: while a broker pod is not ready the rotation waits
//     (the pod listed, not Ready); a broker that fails the create is
//     retried (Progressing with the rotation's reason); a leftover user of
//     that name with another password is updated; then every broker gets the user as
//     Super, signing as the current admin, which keeps working; the
//     condition turns True with an Event; a converged rotation writes
//     nothing more;
//   - adminSecretRef pointed at the next Secret: the rotation leaves
//     status and the controller signs as the new admin.
func TestRotateAdminCredentials(t *testing.T) {
	f := aclFixture(t)
	readyTwoGroups(t, f, 2)
	brokers := []string{"demo-broker-0-0", "demo-broker-1-0"}
	startManager(t, env.Config, []string{f.ns}, testOptions())
	f.waitReady()
	f.createAdminSecret("mq-admin-same-user", &rmqtest.Auth{AccessKey: aclAdmin.AccessKey, SecretKey: "other"})
	f.createAdminSecret("mq-admin-2", nextAdmin)

	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) {
		s.ACL.NextAdminSecretRef = &v1alpha1.SecretCredentialsRef{Name: "mq-admin-same-user"}
	})
	c := f.waitStatus("the same username refused", func(c *v1alpha1.RocketMQCluster) bool {
		return nextCondition(c, metav1.ConditionFalse, ReasonCredentialsRefused)
	})
	assert.Contains(t, condition(c, v1alpha1.ConditionNextAdminCredentialsAccepted).Message, "same username")
	assert.Equal(t, ReasonCredentialsRefused, condition(c, v1alpha1.ConditionDegraded).Reason)
	creates, updates := f.userWrites(brokers...)
	assert.Zero(t, creates+updates, "a refused Secret writes no user")

	// A leftover of an earlier attempt: the user exists on one broker with
	// another password and as a Normal user; it is updated, not created.
	require.NoError(t, f.admin.CreateUser(context.Background(), f.broker(brokers[0]).Addr(),
		admin.UserInfo{Username: nextAdmin.AccessKey, Password: "stale", UserType: admin.UserTypeNormal}))
	slow := &corev1.Pod{}
	require.NoError(t, env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: "demo-broker-1-0"}, slow))
	ip := slow.Status.PodIP
	require.NoError(t, env.SetPodReady(context.Background(), slow, ip, false))
	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) {
		s.ACL.NextAdminSecretRef = &v1alpha1.SecretCredentialsRef{Name: "mq-admin-2"}
	})
	c = f.waitStatus("rotation waiting for the pod that is not ready", func(c *v1alpha1.RocketMQCluster) bool {
		return nextCondition(c, metav1.ConditionFalse, ReasonCredentialsRotating) && c.Status.ACL != nil &&
			slices.Equal(c.Status.ACL.PendingBrokers, []string{"demo-broker-1-0: not ready"})
	})
	assert.False(t, isTrue(c, v1alpha1.ConditionReady), statusString(c))

	// Failing until seen: any event may reconcile again at once.
	f.broker("demo-broker-1-0").FailAlways(admin.CodeAuthCreateUser, admin.CodeSystemError, "rocksdb is busy")
	require.NoError(t, env.SetPodReady(context.Background(), slow, ip, true))
	c = f.waitStatus("rotation retrying the broker that failed", func(c *v1alpha1.RocketMQCluster) bool {
		return nextCondition(c, metav1.ConditionFalse, ReasonCredentialsRotating) && c.Status.ACL != nil &&
			len(c.Status.ACL.PendingBrokers) == 1 && strings.Contains(c.Status.ACL.PendingBrokers[0], "rocksdb is busy") &&
			condition(c, v1alpha1.ConditionProgressing).Reason == ReasonCredentialsRotating
	})
	assert.False(t, isTrue(c, v1alpha1.ConditionReady), statusString(c))
	f.broker("demo-broker-1-0").ClearFaults()
	c = f.waitStatus("every broker accepts the next admin", func(c *v1alpha1.RocketMQCluster) bool {
		return nextCondition(c, metav1.ConditionTrue, ReasonCredentialsAccepted) && isTrue(c, v1alpha1.ConditionReady)
	})
	require.NotNil(t, c.Status.ACL)
	assert.Equal(t, "mq-admin-2", c.Status.ACL.NextAdminSecret.Name)
	assert.NotEmpty(t, c.Status.ACL.NextAdminSecret.ResourceVersion)
	assert.Equal(t, nextAdmin.AccessKey, c.Status.ACL.NextAdminUser)
	assert.True(t, c.Status.ACL.Accepted)
	assert.Empty(t, c.Status.ACL.PendingBrokers)
	assert.NotContains(t, statusString(c), nextAdmin.SecretKey, "no password in status")
	f.waitEvent(ReasonCredentialsAccepted, `every broker pod accepts user "rocketmq-admin-2" of Secret mq-admin-2`)

	signedNew := admin.New(admin.Options{Credentials: &admin.Credentials{AccessKey: nextAdmin.AccessKey, SecretKey: nextAdmin.SecretKey}})
	defer func() { _ = signedNew.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, b := range brokers {
		u := f.broker(b).Users()[nextAdmin.AccessKey]
		assert.True(t, u.Equal(admin.UserInfo{Username: nextAdmin.AccessKey, Password: nextAdmin.SecretKey,
			UserType: admin.UserTypeSuper}), "user on %s: %+v", b, u)
		_, err := signedNew.GetUser(ctx, f.broker(b).Addr(), aclAdmin.AccessKey)
		assert.NoError(t, err, "%s accepts the next admin's signature", b)
		_, err = f.admin.GetUser(ctx, f.broker(b).Addr(), aclAdmin.AccessKey)
		assert.NoError(t, err, "%s still accepts the current admin's signature", b)
	}
	write := map[string]int{brokers[0]: admin.CodeAuthUpdateUser, brokers[1]: admin.CodeAuthCreateUser}
	for b, code := range write {
		assert.True(t, signedBy(f.broker(b).Requests(), code, aclAdmin.AccessKey),
			"%s: request %d signed as the current admin", b, code)
	}
	assert.Equal(t, 1, f.broker(brokers[0]).CallCount(admin.CodeAuthCreateUser), "only the test's leftover")
	assert.Equal(t, 1, f.broker(brokers[0]).CallCount(admin.CodeAuthUpdateUser), "the leftover updated once")
	assert.GreaterOrEqual(t, f.broker(brokers[1]).CallCount(admin.CodeAuthCreateUser), 2, "failed creates, then one that worked")
	assert.Zero(t, f.broker(brokers[1]).CallCount(admin.CodeAuthUpdateUser))
	creates, updates = f.userWrites(brokers...)

	// A later reconcile (a spec change that renders nothing new) reads and
	// writes nothing.
	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.Broker.RetiredGroupPolicy = v1alpha1.RetiredGroupRetain })
	f.waitStatus("accepted at the new generation", func(c *v1alpha1.RocketMQCluster) bool {
		return nextCondition(c, metav1.ConditionTrue, ReasonCredentialsAccepted)
	})
	creates2, updates2 := f.userWrites(brokers...)
	assert.Equal(t, creates, creates2)
	assert.Equal(t, updates, updates2)

	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) {
		s.ACL.AdminSecretRef = &v1alpha1.SecretCredentialsRef{Name: "mq-admin-2"}
		s.ACL.NextAdminSecretRef = nil
	})
	c = f.waitStatus("rotation done and out of status", func(c *v1alpha1.RocketMQCluster) bool {
		return c.Status.ObservedGeneration == c.Generation && isTrue(c, v1alpha1.ConditionReady) && c.Status.ACL == nil &&
			condition(c, v1alpha1.ConditionNextAdminCredentialsAccepted) == nil
	})
	require.Eventually(t, func() bool {
		return signedBy(f.broker(brokers[0]).Requests(), admin.CodeGetBrokerConfig, nextAdmin.AccessKey)
	}, waitFor, 50*time.Millisecond, "the controller signs as the new admin")
	assert.False(t, isTrue(c, v1alpha1.ConditionDegraded), statusString(c))
}

// signedBy says whether a request with code was signed as user.
func signedBy(reqs []rmqtest.Request, code int, user string) bool {
	return slices.ContainsFunc(reqs, func(r rmqtest.Request) bool {
		return r.Code == code && strings.EqualFold(r.ExtFields["AccessKey"], user)
	})
}
