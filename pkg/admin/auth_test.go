package admin_test

import (
	"errors"
	"maps"
	"reflect"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

var superAuth = &rmqtest.Auth{AccessKey: "rocketmq-admin", SecretKey: "s3cret"}

// authEnv is newEnv with ACL 2.0 on both brokers (initial user superAuth)
// and its client signing as that user.
func authEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, func(o *rmqtest.BrokerOptions) { o.Auth = superAuth })
	_ = e.client.Close()
	e.client = admin.New(admin.Options{Credentials: &admin.Credentials{AccessKey: superAuth.AccessKey, SecretKey: superAuth.SecretKey}})
	return e
}

var ordersACL = admin.ACLInfo{Subject: "User:alice", Policies: []admin.PolicyInfo{{
	PolicyType: admin.PolicyTypeCustom,
	Entries: []admin.PolicyEntryInfo{
		{Resource: "Topic:orders", Actions: []string{"Pub", "Sub"}, Decision: admin.DecisionAllow},
		{Resource: "Group:billing-*", Actions: []string{"Sub"}, SourceIps: []string{"10.0.0.0/8"}, Decision: admin.DecisionAllow},
	},
}}}

func TestUsers(t *testing.T) {
	e := authEnv(t)
	ctx, addr := ctxT(t), e.a.Addr()
	alice := admin.UserInfo{Username: "alice", Password: "a-pw"}
	if err := e.client.CreateUser(ctx, addr, alice); err != nil {
		t.Fatal(err)
	}
	err := e.client.CreateUser(ctx, addr, alice)
	if !errors.Is(err, admin.ErrUserExists) || !errors.Is(err, admin.ErrNoPermission) {
		t.Fatalf("second create: %v, want ErrUserExists and ErrNoPermission", err)
	}
	err = e.client.UpdateUser(ctx, addr, admin.UserInfo{Username: "bob", Password: "x"})
	if !errors.Is(err, admin.ErrUserNotExist) {
		t.Fatalf("update of a missing user: %v, want ErrUserNotExist", err)
	}
	if err := e.client.UpdateUser(ctx, addr, admin.UserInfo{Username: "alice", UserStatus: admin.UserStatusDisable}); err != nil {
		t.Fatal(err)
	}
	got, err := e.client.GetUser(ctx, addr, "alice")
	want := admin.UserInfo{Username: "alice", Password: "a-pw", UserType: admin.UserTypeNormal, UserStatus: admin.UserStatusDisable}
	if err != nil || got == nil || *got != want {
		t.Fatalf("GetUser = %+v, %v; want %+v (the password kept, in clear)", got, err, want)
	}
	if got, err := e.client.GetUser(ctx, addr, "bob"); err != nil || got != nil {
		t.Fatalf("GetUser of a missing user = %+v, %v; want nil, nil", got, err)
	}
	users, err := e.client.ListUsers(ctx, addr, "")
	if err != nil || len(users) != 2 || users[0].Username != "alice" || users[1].UserType != admin.UserTypeSuper {
		t.Fatalf("ListUsers = %+v, %v", users, err)
	}
	if none, err := e.client.ListUsers(ctx, addr, "zz"); err != nil || len(none) != 0 {
		t.Fatalf("ListUsers(zz) = %+v, %v", none, err)
	}
	if err := e.client.DeleteUser(ctx, addr, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.DeleteUser(ctx, addr, "alice"); err != nil {
		t.Fatalf("deleting a missing user: %v, want SUCCESS", err)
	}
}

func TestACLs(t *testing.T) {
	e := authEnv(t)
	ctx, addr := ctxT(t), e.a.Addr()
	err := e.client.CreateACL(ctx, addr, ordersACL)
	if !errors.Is(err, admin.ErrSubjectNotExist) {
		t.Fatalf("ACL of a missing user: %v, want ErrSubjectNotExist", err)
	}
	if err := e.client.CreateUser(ctx, addr, admin.UserInfo{Username: "alice", Password: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := e.client.CreateACL(ctx, addr, ordersACL); err != nil {
		t.Fatal(err)
	}
	got, err := e.client.GetACL(ctx, addr, "User:alice")
	if err != nil || got == nil || !reflect.DeepEqual(*got, ordersACL) {
		t.Fatalf("GetACL = %+v, %v; want %+v", got, err, ordersACL)
	}
	deny := admin.ACLInfo{Subject: "User:alice", Policies: []admin.PolicyInfo{{Entries: []admin.PolicyEntryInfo{
		{Resource: "Topic:orders", Actions: []string{"Pub"}, Decision: admin.DecisionDeny}}}}}
	if err := e.client.UpdateACL(ctx, addr, deny); err != nil {
		t.Fatal(err)
	}
	list, err := e.client.ListACLs(ctx, addr, "alice", "")
	if err != nil || len(list) != 1 || len(list[0].Policies[0].Entries) != 2 || !list[0].Covers(deny) {
		t.Fatalf("ListACLs after a merge = %+v, %v; want both entries, orders denied", list, err)
	}
	if list[0].Covers(ordersACL) {
		t.Fatal("Covers ignores a changed decision")
	}
	if err := e.client.DeleteACL(ctx, addr, "User:alice", "", "Topic:orders"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.DeleteACL(ctx, addr, "User:alice", "", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.client.DeleteACL(ctx, addr, "User:alice", "", ""); !errors.Is(err, admin.ErrACLNotExist) {
		t.Fatalf("deleting a missing ACL: %v, want ErrACLNotExist", err)
	}
	if got, err := e.client.GetACL(ctx, addr, "User:alice"); err != nil || got != nil {
		t.Fatalf("GetACL after delete = %+v, %v", got, err)
	}
}

// TestAuthCodesNeedSignedSuperUser: a Normal user may not create a Super
// user (SYSTEM_ERROR from the processor, not NO_PERMISSION).
func TestAuthCodesNeedSignedSuperUser(t *testing.T) {
	e := authEnv(t)
	ctx, addr := ctxT(t), e.a.Addr()
	if err := e.client.CreateUser(ctx, addr, admin.UserInfo{Username: "bob", Password: "b"}); err != nil {
		t.Fatal(err)
	}
	bob := admin.New(admin.Options{Credentials: &admin.Credentials{AccessKey: "bob", SecretKey: "b"}})
	defer func() { _ = bob.Close() }()
	err := bob.CreateUser(ctx, addr, admin.UserInfo{Username: "eve", Password: "e", UserType: admin.UserTypeSuper})
	var re *admin.ResponseError
	if !errors.Is(err, admin.ErrSystem) || !errors.As(err, &re) || re.Remark != "The super user can only be create by super user" {
		t.Fatalf("got %v", err)
	}
}

// TestAuthRequestsSendTheJavaHeaderFields checks the header fields each
// ACL 2.0 request carries (CreateUserRequestHeader.username,
// ListAclsRequestHeader.subjectFilter/resourceFilter, ...) and the bodies,
// byte for byte: the field names of UserInfo and AclInfo.
func TestAuthRequestsSendTheJavaHeaderFields(t *testing.T) {
	e := authEnv(t)
	a := e.a.Addr()
	cases := []struct {
		name string
		call func() error
		code int
		want map[string]string
		body string
	}{
		{"CreateUser", func() error {
			return e.client.CreateUser(ctxT(t), a, admin.UserInfo{Username: "alice", Password: "a", UserType: "Normal"})
		},
			admin.CodeAuthCreateUser, map[string]string{"username": "alice"}, `{"username":"alice","password":"a","userType":"Normal"}`},
		{"UpdateUser", func() error {
			return e.client.UpdateUser(ctxT(t), a, admin.UserInfo{Username: "alice", UserStatus: "disable"})
		},
			admin.CodeAuthUpdateUser, map[string]string{"username": "alice"}, `{"username":"alice","userStatus":"disable"}`},
		{"GetUser", func() error { _, err := e.client.GetUser(ctxT(t), a, "alice"); return err },
			admin.CodeAuthGetUser, map[string]string{"username": "alice"}, ""},
		{"ListUsers", func() error { _, err := e.client.ListUsers(ctxT(t), a, "al"); return err },
			admin.CodeAuthListUser, map[string]string{"filter": "al"}, ""},
		{"ListUsers all", func() error { _, err := e.client.ListUsers(ctxT(t), a, ""); return err },
			admin.CodeAuthListUser, map[string]string{}, ""},
		{"CreateACL", func() error { return e.client.CreateACL(ctxT(t), a, ordersACL) },
			admin.CodeAuthCreateACL, map[string]string{"subject": "User:alice"},
			`{"subject":"User:alice","policies":[{"policyType":"Custom","entries":[{"resource":"Topic:orders","actions":["Pub","Sub"],"decision":"Allow"},` +
				`{"resource":"Group:billing-*","actions":["Sub"],"sourceIps":["10.0.0.0/8"],"decision":"Allow"}]}]}`},
		{"GetACL", func() error { _, err := e.client.GetACL(ctxT(t), a, "User:alice"); return err },
			admin.CodeAuthGetACL, map[string]string{"subject": "User:alice"}, ""},
		{"ListACLs", func() error { _, err := e.client.ListACLs(ctxT(t), a, "User:", "Topic"); return err },
			admin.CodeAuthListACL, map[string]string{"subjectFilter": "User:", "resourceFilter": "Topic"}, ""},
		{"DeleteACL", func() error { return e.client.DeleteACL(ctxT(t), a, "User:alice", "Custom", "Topic:orders") },
			admin.CodeAuthDeleteACL, map[string]string{"subject": "User:alice", "policyType": "Custom", "resource": "Topic:orders"}, ""},
		{"DeleteUser", func() error { return e.client.DeleteUser(ctxT(t), a, "alice") },
			admin.CodeAuthDeleteUser, map[string]string{"username": "alice"}, ""},
	}
	for _, c := range cases {
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		reqs := e.a.Requests()
		got := reqs[len(reqs)-1]
		ext := maps.Clone(got.ExtFields)
		delete(ext, "AccessKey")
		delete(ext, "Signature")
		if got.Code != c.code || !maps.Equal(ext, c.want) || string(got.Body) != c.body {
			t.Fatalf("%s: request %d %v %s\nwant    %d %v %s", c.name, got.Code, ext, got.Body, c.code, c.want, c.body)
		}
	}
}
