package metadatacopy

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

var superUser = &rmqtest.Auth{AccessKey: "rocketmq-admin", SecretKey: "s3cret"}

// newAuthBrokers is newBrokers with ACL 2.0 on, the client signing as the
// brokers' initial (Super) user.
func newAuthBrokers(t *testing.T) *brokers {
	t.Helper()
	b := &brokers{client: admin.New(admin.Options{Credentials: &admin.Credentials{AccessKey: superUser.AccessKey, SecretKey: superUser.SecretKey}})}
	t.Cleanup(func() { _ = b.client.Close() })
	for i, p := range []**rmqtest.Broker{&b.source, &b.target} {
		br, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: "127.0.0.1:0", BrokerName: fmt.Sprintf("demo-broker-%d", i), Auth: superUser})
		require.NoError(t, err)
		t.Cleanup(func() { _ = br.Close() })
		*p = br
	}
	b.src, b.tgt = b.source.Addr(), b.target.Addr()
	return b
}

var appACL = admin.ACLInfo{Subject: "User:app", Policies: []admin.PolicyInfo{{PolicyType: admin.PolicyTypeCustom,
	Entries: []admin.PolicyEntryInfo{{Resource: "Topic:orders", Actions: []string{"Pub"}, Decision: admin.DecisionAllow}}}}}

// With CopyAuth the users and ACLs reach the target, the Event and the
// status count them.
func TestStepCopyingCopiesUsersAndACLs(t *testing.T) {
	b := newAuthBrokers(t)
	b.source.PutUsers(admin.UserInfo{Username: "app", Password: "p", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusEnable})
	b.source.PutACLs(appACL)
	b.source.PutTopics(admin.TopicConfig{TopicName: "orders", ReadQueueNums: 4, WriteQueueNums: 4, Perm: 6})
	last := t0
	start := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataPending, 0, nil), Source: b.src, Target: b.tgt, Now: t0, CopyAuth: true}, Backoff{})
	assert.Contains(t, start.Event.Message, "ACL users and ACLs")
	out := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataCopying, 1, &last), Source: b.src, Target: b.tgt, Now: t0, CopyAuth: true}, Backoff{})
	require.Equal(t, v1alpha1.MetadataSynced, out.Group.Metadata, out.Group.MetadataMessage)
	assert.Equal(t, &v1alpha1.MetadataCopyCounts{Users: 1, ACLs: 1, Topics: 1}, out.Group.MetadataCopied)
	assert.Empty(t, out.Group.MetadataUsersNotCopied)
	assert.Equal(t, "Normal", out.Event.Type)
	assert.Contains(t, out.Event.Message, "ACL users 1 created, 0 updated, 1 already present; ACLs 1 created, 0 updated, 0 already present")
	assert.Contains(t, b.target.Users(), "app")
	assert.True(t, b.target.ACLs()["User:app"].Covers(appACL))
}

// A user listed without a password is not copied: status lists it and
// the Synced Event is a Warning naming it.
func TestStepCopyingWarnsAboutUsersWithoutPassword(t *testing.T) {
	b := newAuthBrokers(t)
	b.source.PutUsers(admin.UserInfo{Username: "app", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusEnable})
	b.source.PutACLs(appACL)
	last := t0
	out := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataCopying, 1, &last), Source: b.src, Target: b.tgt, Now: t0, CopyAuth: true}, Backoff{})
	require.Equal(t, v1alpha1.MetadataSynced, out.Group.Metadata, out.Group.MetadataMessage)
	assert.Equal(t, []string{"app"}, out.Group.MetadataUsersNotCopied)
	assert.Equal(t, "Warning", out.Event.Type)
	assert.Contains(t, out.Event.Message, "ACL users app were listed without a password and are NOT on demo-broker-2")
	assert.NotContains(t, b.target.Users(), "app")
}
