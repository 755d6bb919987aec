package cluster

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/metadatacopy"
)

var aclAdmin = &rmqtest.Auth{AccessKey: "rocketmq-admin", SecretKey: "acl-copy-s3cret"}

// aclFixture is a two-group cluster with ACL 2.0 on: the admin Secret,
// brokers whose initial user is that admin, and the fixture's client
// signing as it.
func aclFixture(t *testing.T) *fixture {
	t.Helper()
	spec := twoGroups()
	spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: "mq-admin"}}
	f := newFixture(t, spec, withAuth(aclAdmin))
	require.NoError(t, env.Client.Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "mq-admin"},
		StringData: map[string]string{"username": aclAdmin.AccessKey, "password": aclAdmin.SecretKey},
	}))
	return f
}

// seedACL creates application users and their ACLs on group 0's master,
// as an operator would with mqadmin createUser/createAcl.
func (f *fixture) seedACL() (users []admin.UserInfo, acls []admin.ACLInfo) {
	f.t.Helper()
	ctx, src := context.Background(), f.broker("demo-broker-0-0").Addr()
	users = []admin.UserInfo{{Username: "orders-app", Password: "o-pw"}, {Username: "billing-app", Password: "b-pw", UserType: admin.UserTypeNormal}}
	acls = []admin.ACLInfo{
		{Subject: "User:orders-app", Policies: []admin.PolicyInfo{{Entries: []admin.PolicyEntryInfo{
			{Resource: "Topic:orders-*", Actions: []string{"Pub"}, Decision: admin.DecisionAllow}}}}},
		{Subject: "User:billing-app", Policies: []admin.PolicyInfo{{Entries: []admin.PolicyEntryInfo{
			{Resource: "Topic:orders-*", Actions: []string{"Sub"}, Decision: admin.DecisionAllow},
			{Resource: "Group:billing-*", Actions: []string{"Sub"}, SourceIps: []string{"10.0.0.0/8"}, Decision: admin.DecisionAllow}}}}},
	}
	for _, u := range users {
		require.NoError(f.t, f.admin.CreateUser(ctx, src, u))
	}
	for _, a := range acls {
		require.NoError(f.t, f.admin.CreateACL(ctx, src, a))
	}
	return users, acls
}

// checkAuthCopied asserts the target has every user of the source with the
// same password, type and status, and ACLs covering the source's.
func (f *fixture) checkAuthCopied(target string) {
	f.t.Helper()
	src, dst := f.broker("demo-broker-0-0"), f.broker(target)
	have := dst.Users()
	for name, u := range src.Users() {
		assert.True(f.t, have[name].Equal(u), "user %s: %+v on the target, %+v on the source", name, have[name], u)
	}
	haveACLs := dst.ACLs()
	for subject, a := range src.ACLs() {
		assert.True(f.t, haveACLs[subject].Covers(a), "ACL of %s: %+v on the target, %+v on the source", subject, haveACLs[subject], a)
	}
}

// firstRequest is the index of the first request with code in reqs, or -1.
func firstRequest(reqs []rmqtest.Request, code int) int {
	return slices.IndexFunc(reqs, func(r rmqtest.Request) bool { return r.Code == code })
}

// TestScaleOutCopiesUsersAndACLs: with ACL on, a third group gets the
// users, then the ACLs, then the consumer groups and topics of group 0,
// signed as the admin of spec.acl.adminSecretRef; status counts them.
func TestScaleOutCopiesUsersAndACLs(t *testing.T) {
	f := aclFixture(t)
	topics, groups := readyTwoGroups(t, f, 4)
	f.seedACL()
	startManager(t, env.Config, []string{f.ns}, testOptions())
	f.waitReady()

	f.scaleOutToThree()
	f.waitStatus("new group Pending", func(c *v1alpha1.RocketMQCluster) bool {
		return groupState(c, 2).Metadata == v1alpha1.MetadataPending
	})
	f.addBroker(2, 0, f.nameServerList())
	c := f.waitReady()
	g := groupState(c, 2)
	require.Equal(t, v1alpha1.MetadataSynced, g.Metadata, statusString(c))
	assert.Equal(t, &v1alpha1.MetadataCopyCounts{Users: 2, ACLs: 2, Groups: 3, Topics: 4}, g.MetadataCopied)
	assert.Empty(t, g.MetadataUsersNotCopied)
	f.checkAuthCopied("demo-broker-2-0")
	f.checkCopied("demo-broker-2-0", topics, groups)

	reqs := f.broker("demo-broker-2-0").Requests()
	users, acls := firstRequest(reqs, admin.CodeAuthCreateUser), firstRequest(reqs, admin.CodeAuthCreateACL)
	grps, tops := firstRequest(reqs, admin.CodeUpdateAndCreateSubscriptionGroups), firstRequest(reqs, admin.CodeUpdateAndCreateTopicList)
	assert.True(t, users >= 0 && users < acls && acls < grps && grps < tops,
		"order users %d, ACLs %d, groups %d, topics %d", users, acls, grps, tops)
	f.waitEvent(metadatacopy.ReasonSynced, "ACL users 2 created, 0 updated, 1 already present; ACLs 2 created, 0 updated, 0 already present")
}

// TestAuthCopyResumesWithoutRewrites: the manager stops in the middle of
// a copy (after users and ACLs, while the topic batch is held); the new
// manager copies again from status Copying and sends no user or ACL write
// a second time: everything it lists is already equal.
func TestAuthCopyResumesWithoutRewrites(t *testing.T) {
	f := aclFixture(t)
	topics, groups := readyTwoGroups(t, f, 6)
	f.seedACL()
	stop := startManager(t, env.Config, []string{f.ns}, testOptions())
	f.waitReady()

	f.scaleOutToThree()
	f.waitStatus("Pending", func(c *v1alpha1.RocketMQCluster) bool { return groupState(c, 2).Metadata == v1alpha1.MetadataPending })
	f.addBroker(2, 0, f.nameServerList(), func(b *rmqtest.Broker) {
		b.DelayNth(admin.CodeUpdateAndCreateTopicList, 1, 2*time.Second)
	})
	target := f.broker("demo-broker-2-0")
	require.Eventually(t, func() bool { return target.CallCount(admin.CodeUpdateAndCreateTopicList) == 1 }, waitFor, 10*time.Millisecond)
	stop()
	assert.Equal(t, v1alpha1.MetadataCopying, groupState(f.cluster(), 2).Metadata)
	require.Eventually(t, func() bool { // the held batch lands, as a received request does
		have := target.Topics()
		return !slices.ContainsFunc(topics, func(name string) bool { _, ok := have[name]; return !ok })
	}, waitFor, 20*time.Millisecond)

	startManager(t, env.Config, []string{f.ns}, withBackoff(testOptions(), 200*time.Millisecond))
	c := f.waitReady()
	g := groupState(c, 2)
	require.Equal(t, v1alpha1.MetadataSynced, g.Metadata, statusString(c))
	f.checkAuthCopied("demo-broker-2-0")
	f.checkCopied("demo-broker-2-0", topics, groups)
	for code, want := range map[int]int{admin.CodeAuthCreateUser: 2, admin.CodeAuthUpdateUser: 0, admin.CodeAuthCreateACL: 2, admin.CodeAuthUpdateACL: 0} {
		assert.Equal(t, want, target.CallCount(code), "request code %d on the target", code)
	}
	assert.GreaterOrEqual(t, target.CallCount(admin.CodeAuthListUser), 2, "the resumed copy listed the users again")
	assert.Equal(t, &v1alpha1.MetadataCopyCounts{}, g.MetadataCopied, "the resumed copy wrote nothing")
}
