package admin_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// seedAuthCopy gives the source users and ACLs, and the target one user
// with another password and a partial ACL of its own.
func seedAuthCopy(e *env) {
	e.a.PutUsers(
		admin.UserInfo{Username: "alice", Password: "a", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusEnable},
		admin.UserInfo{Username: "bob", Password: "b", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusEnable},
		admin.UserInfo{Username: "ops", Password: "o", UserType: admin.UserTypeSuper, UserStatus: admin.UserStatusEnable},
	)
	e.a.PutACLs(ordersACL, admin.ACLInfo{Subject: "User:bob", Policies: []admin.PolicyInfo{{PolicyType: admin.PolicyTypeCustom,
		Entries: []admin.PolicyEntryInfo{{Resource: "*", Actions: []string{"Get"}, Decision: admin.DecisionAllow}}}}})
	e.b.PutUsers(admin.UserInfo{Username: "bob", Password: "old", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusEnable},
		admin.UserInfo{Username: "target-only", Password: "t", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusEnable})
	e.b.PutACLs(admin.ACLInfo{Subject: "User:bob", Policies: []admin.PolicyInfo{{PolicyType: admin.PolicyTypeCustom,
		Entries: []admin.PolicyEntryInfo{{Resource: "Topic:mine", Actions: []string{"Pub"}, Decision: admin.DecisionAllow}}}}})
}

// TestCopyMetadataCopiesUsersAndACLs: users first (created, updated,
// unchanged), then ACLs merged into the target's; nothing is deleted, and
// a second run sends no write.
func TestCopyMetadataCopiesUsersAndACLs(t *testing.T) {
	e := authEnv(t)
	ctx := ctxT(t)
	seedAuthCopy(e)
	res, err := e.client.CopyMetadataWith(ctx, e.a.Addr(), e.b.Addr(), admin.CopyOptions{CopyAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	want := admin.AuthCopyResult{AuthCopied: true, UsersCreated: []string{"alice", "ops"}, UsersUpdated: []string{"bob"},
		UsersUnchanged: 1, ACLsCreated: []string{"User:alice"}, ACLsUpdated: []string{"User:bob"}}
	if !reflect.DeepEqual(res.AuthCopyResult, want) {
		t.Fatalf("result %+v\nwant   %+v", res.AuthCopyResult, want)
	}
	users := e.b.Users()
	for name, u := range e.a.Users() {
		if !users[name].Equal(u) {
			t.Errorf("target user %s = %+v, want %+v", name, users[name], u)
		}
	}
	if _, ok := users["target-only"]; !ok {
		t.Error("the target's own user was deleted")
	}
	acls := e.b.ACLs()
	for subject, a := range e.a.ACLs() {
		if !acls[subject].Covers(a) {
			t.Errorf("target ACL %s = %+v, want it to cover %+v", subject, acls[subject], a)
		}
	}
	if !acls["User:bob"].Covers(admin.ACLInfo{Policies: []admin.PolicyInfo{{Entries: []admin.PolicyEntryInfo{
		{Resource: "Topic:mine", Actions: []string{"Pub"}, Decision: admin.DecisionAllow}}}}}) {
		t.Error("the target's own ACL entry was removed")
	}
	e.b.ResetCounts()
	again, err := e.client.CopyMetadataWith(ctx, e.a.Addr(), e.b.Addr(), admin.CopyOptions{CopyAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	if again.UsersUnchanged != 4 || again.ACLsUnchanged != 2 || len(again.UsersCreated)+len(again.UsersUpdated)+len(again.ACLsCreated)+len(again.ACLsUpdated) != 0 {
		t.Fatalf("second run %+v, want everything unchanged", again.AuthCopyResult)
	}
	for _, code := range []int{admin.CodeAuthCreateUser, admin.CodeAuthUpdateUser, admin.CodeAuthCreateACL, admin.CodeAuthUpdateACL} {
		if n := e.b.CallCount(code); n != 0 {
			t.Errorf("second run sent code %d %d times", code, n)
		}
	}
}

// TestCopyMetadataUsersWithoutPassword: a source that withholds a password
// cannot give that user (nor its ACL) to the target; the copy says so and
// copies the rest.
func TestCopyMetadataUsersWithoutPassword(t *testing.T) {
	e := authEnv(t)
	ctx := ctxT(t)
	e.a.PutUsers(admin.UserInfo{Username: "alice", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusEnable})
	e.a.PutACLs(ordersACL)
	res, err := e.client.CopyMetadataWith(ctx, e.a.Addr(), e.b.Addr(), admin.CopyOptions{CopyAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.UsersWithoutPassword, []string{"alice"}) || !reflect.DeepEqual(res.ACLsSkipped, []string{"User:alice"}) {
		t.Fatalf("result %+v", res.AuthCopyResult)
	}
	if _, ok := e.b.Users()["alice"]; ok {
		t.Fatal("a user without a password was created")
	}
}

// TestCopyMetadataAuthErrors: a failing user write stops the copy before
// groups and topics, with the broker's error.
func TestCopyMetadataAuthErrors(t *testing.T) {
	e := authEnv(t)
	ctx := ctxT(t)
	seedAuthCopy(e)
	e.b.FailNth(admin.CodeAuthCreateUser, 1, admin.CodeSystemError, "injected")
	_, err := e.client.CopyMetadataWith(ctx, e.a.Addr(), e.b.Addr(), admin.CopyOptions{CopyAuth: true})
	if !errors.Is(err, admin.ErrSystem) {
		t.Fatalf("got %v, want ErrSystem", err)
	}
	if n := e.b.CallCount(admin.CodeUpdateAndCreateSubscriptionGroups); n != 0 {
		t.Fatalf("groups were sent (%d) after the users failed", n)
	}
}

// TestCreateUserResentAfterApply: a create whose answer was lost and is
// found existing is finished by an update, so the copy stays idempotent.
func TestCreateUserResentAfterApply(t *testing.T) {
	e := authEnv(t)
	ctx := ctxT(t)
	seedAuthCopy(e)
	// alice is already there with another password, as after a create
	// whose answer never came, and the target's list answers empty (a
	// stale view): the copy's create meets ErrUserExists.
	e.b.PutUsers(admin.UserInfo{Username: "alice", Password: "stale", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusEnable})
	e.b.FailNth(admin.CodeAuthListUser, 1, admin.CodeSuccess, "")
	if _, err := e.client.CopyMetadataWith(ctx, e.a.Addr(), e.b.Addr(), admin.CopyOptions{CopyAuth: true}); err != nil {
		t.Fatal(err)
	}
	if got := e.b.Users()["alice"].Password; got != "a" {
		t.Fatalf("alice's password on the target = %q, want the source's", got)
	}
	if c, u := e.b.CallCount(admin.CodeAuthCreateUser), e.b.CallCount(admin.CodeAuthUpdateUser); c != 4 || u != 3 {
		t.Fatalf("%d creates and %d updates, want 4 and 3 (the admin user, alice and bob found existing)", c, u)
	}
}

// TestCopyMetadataAuthBefore53: a source broker without ACL 2.0 (before
// 5.3.0) answers REQUEST_CODE_NOT_SUPPORTED; the copy goes on without the
// ACL part instead of failing every retry.
func TestCopyMetadataAuthBefore53(t *testing.T) {
	e := newEnv(t)
	e.a.FailAlways(admin.CodeAuthListUser, admin.CodeRequestCodeNotSupported, " request type 3005 not supported")
	e.a.PutTopics(admin.NewTopicConfig("orders"))
	res, err := e.client.CopyMetadataWith(ctxT(t), e.a.Addr(), e.b.Addr(), admin.CopyOptions{CopyAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.AuthCopied || !reflect.DeepEqual(res.TopicsCreated, []string{"orders"}) {
		t.Fatalf("result %+v", res)
	}
}
