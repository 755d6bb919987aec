package rmqtest

import (
	"maps"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

var adminAuth = &Auth{AccessKey: "admin", SecretKey: "admin-secret"}

// signedCall sends a request signed as user with password, like
// AclClientRPCHook.
func signedCall(t *testing.T, addr, user, password string, cmd *remoting.Command) *remoting.Command {
	t.Helper()
	ext := maps.Clone(cmd.ExtFields)
	if ext == nil {
		ext = map[string]string{}
	}
	ext["AccessKey"] = user
	ext["Signature"] = admin.Signature(ext, cmd.Body, password)
	cmd.ExtFields = ext
	resp, err := rawCall(t, addr, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

type authStep struct {
	name       string
	as         string // "" signs as admin; else "<user>:<password>"
	code       int
	ext        map[string]string
	body       string
	wantCode   int
	wantRemark string
	wantBody   string // compared when not empty; "-" expects no body
}

func runAuthSteps(t *testing.T, br *Broker, steps []authStep) {
	t.Helper()
	for _, s := range steps {
		user, pass := adminAuth.AccessKey, adminAuth.SecretKey
		if s.as != "" {
			user, pass, _ = cut(s.as)
		}
		cmd := &remoting.Command{Code: s.code, ExtFields: s.ext}
		if s.body != "" {
			cmd.Body = []byte(s.body)
		}
		resp := signedCall(t, br.Addr(), user, pass, cmd)
		if resp.Code != s.wantCode || resp.Remark != s.wantRemark {
			t.Fatalf("%s: answer %d %q\nwant %d %q", s.name, resp.Code, resp.Remark, s.wantCode, s.wantRemark)
		}
		switch {
		case s.wantBody == "-" && len(resp.Body) != 0:
			t.Fatalf("%s: body %s, want none", s.name, resp.Body)
		case s.wantBody != "" && s.wantBody != "-" && string(resp.Body) != s.wantBody:
			t.Fatalf("%s: body\n%s\nwant\n%s", s.name, resp.Body, s.wantBody)
		}
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func authBroker(t *testing.T, dir string) *Broker {
	t.Helper()
	br, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", Auth: adminAuth, StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = br.Close() })
	return br
}

const (
	npeRemark = "java.lang.NullPointerException, "
	nameBlank = "The username is blank"
)

// TestUserRequests follows AdminBrokerProcessor.createUser/updateUser/
// deleteUser/getUser/listUser and AuthenticationMetadataManagerImpl: the
// initial user is Super, passwords come back in clear, create of an
// existing user and update of a missing one are NO_PERMISSION.
func TestUserRequests(t *testing.T) {
	br := authBroker(t, "")
	u := func(name string) map[string]string { return map[string]string{"username": name} }
	runAuthSteps(t, br, []authStep{
		{name: "initial user listed", code: admin.CodeAuthListUser,
			wantBody: `[{"password":"admin-secret","userStatus":"enable","userType":"Super","username":"admin"}]`},
		{name: "create without username", code: admin.CodeAuthCreateUser, body: `{"password":"p"}`,
			wantCode: admin.CodeInvalidParameter, wantRemark: nameBlank},
		{name: "create without body", code: admin.CodeAuthCreateUser, ext: u("bob"),
			wantCode: admin.CodeSystemError, wantRemark: npeRemark + frameCreateUser},
		{name: "create without password", code: admin.CodeAuthCreateUser, ext: u("bob"), body: `{"username":"bob"}`,
			wantCode: admin.CodeNoPermission, wantRemark: "password can not be blank"},
		{name: "create bob", code: admin.CodeAuthCreateUser, ext: u("bob"), body: `{"password":"bob-pw","userType":"normal"}`},
		{name: "create bob again", code: admin.CodeAuthCreateUser, ext: u("bob"), body: `{"password":"x"}`,
			wantCode: admin.CodeNoPermission, wantRemark: "The user is existed"},
		{name: "bob may not create a Super user", as: "bob:bob-pw", code: admin.CodeAuthCreateUser, ext: u("eve"),
			body: `{"password":"x","userType":"Super"}`, wantCode: admin.CodeSystemError, wantRemark: superCreateRemark},
		{name: "bob may not update admin", as: "bob:bob-pw", code: admin.CodeAuthUpdateUser, ext: u("admin"),
			body: `{"password":"x"}`, wantCode: admin.CodeNoPermission, wantRemark: superUpdateRemark},
		{name: "update missing user", code: admin.CodeAuthUpdateUser, ext: u("carol"), body: `{"password":"x"}`,
			wantCode: admin.CodeNoPermission, wantRemark: "The user is not exist"},
		{name: "update without body", code: admin.CodeAuthUpdateUser, ext: u("bob"),
			wantCode: admin.CodeSystemError, wantRemark: npeRemark + frameUpdateUser},
		{name: "disable bob, password kept", code: admin.CodeAuthUpdateUser, ext: u("bob"), body: `{"userStatus":"DISABLE"}`},
		{name: "get bob", code: admin.CodeAuthGetUser, ext: u("bob"),
			wantBody: `{"password":"bob-pw","userStatus":"disable","userType":"Normal","username":"bob"}`},
		{name: "disabled bob cannot sign in", as: "bob:bob-pw", code: admin.CodeAuthGetUser, ext: u("bob"),
			wantCode: admin.CodeNoPermission, wantRemark: "User:bob is disabled."},
		{name: "get missing user", code: admin.CodeAuthGetUser, ext: u("carol"), wantBody: "-"},
		{name: "get without username", code: admin.CodeAuthGetUser, wantCode: admin.CodeInvalidParameter, wantRemark: nameBlank},
		{name: "list filtered", code: admin.CodeAuthListUser, ext: map[string]string{"filter": "ob"},
			wantBody: `[{"password":"bob-pw","userStatus":"disable","userType":"Normal","username":"bob"}]`},
		{name: "list nothing", code: admin.CodeAuthListUser, ext: map[string]string{"filter": "zz"}, wantBody: "-"},
		{name: "delete without username", code: admin.CodeAuthDeleteUser, wantCode: admin.CodeNoPermission, wantRemark: "username can not be blank"},
		{name: "delete missing user", code: admin.CodeAuthDeleteUser, ext: u("carol")},
		{name: "delete bob", code: admin.CodeAuthDeleteUser, ext: u("bob")},
		{name: "bob gone", code: admin.CodeAuthGetUser, ext: u("bob"), wantBody: "-"},
	})
}

const aliceACL = `{"subject":"User:alice","policies":[{"entries":[{"resource":"topic:orders","actions":["pub","Sub","Nope"],"decision":"allow"},` +
	`{"resource":"Group:billing-*","actions":["Sub"],"sourceIps":["10.0.0.0/8"],"decision":"Allow"}]}]}`

// TestACLRequests follows AdminBrokerProcessor.createAcl/updateAcl/
// deleteAcl/getAcl/listAcl and AuthorizationMetadataManagerImpl: names
// are normalised by AclConverter, create merges like update, the subject
// must be an existing user.
func TestACLRequests(t *testing.T) {
	br := authBroker(t, "")
	subj := func(s string) map[string]string { return map[string]string{"subject": s} }
	wantAlice := `{"policies":[{"entries":[{"actions":["Pub","Sub"],"decision":"Allow","resource":"Topic:orders"},` +
		`{"actions":["Sub"],"decision":"Allow","resource":"Group:billing-*","sourceIps":["10.0.0.0/8"]}],"policyType":"Custom"}],"subject":"User:alice"}`
	wantMerged := `{"policies":[{"entries":[{"actions":["Pub"],"decision":"Deny","resource":"Topic:orders"},` +
		`{"actions":["Sub"],"decision":"Allow","resource":"Group:billing-*","sourceIps":["10.0.0.0/8"]},` +
		`{"actions":["Get"],"decision":"Allow","resource":"*"}],"policyType":"Custom"}],"subject":"User:alice"}`
	runAuthSteps(t, br, []authStep{
		{name: "create for a missing user", code: admin.CodeAuthCreateACL, ext: subj("User:alice"), body: aliceACL,
			wantCode: admin.CodeNoPermission, wantRemark: "The subject of User:alice is not exist."},
		{name: "create alice", code: admin.CodeAuthCreateUser, ext: map[string]string{"username": "alice"}, body: `{"password":"a"}`},
		{name: "create without body", code: admin.CodeAuthCreateACL, ext: subj("User:alice"),
			wantCode: admin.CodeSystemError, wantRemark: authzException + ": The body of acl is null, " + frameCreateACL},
		{name: "update without policies", code: admin.CodeAuthUpdateACL, ext: subj("User:alice"), body: `{"policies":[]}`,
			wantCode: admin.CodeSystemError, wantRemark: authzException + ": The body of acl is null, " + frameUpdateACL},
		{name: "without any subject", code: admin.CodeAuthCreateACL, body: `{"policies":[{"entries":[{"resource":"*","actions":["Pub"],"decision":"Allow"}]}]}`,
			wantCode: admin.CodeSystemError, wantRemark: authSystemError},
		{name: "entry without actions", code: admin.CodeAuthCreateACL, ext: subj("User:alice"), body: `{"policies":[{"entries":[{"resource":"*"}]}]}`,
			wantCode: admin.CodeSystemError, wantRemark: npeRemark + frameConvertACL},
		{name: "Any action", code: admin.CodeAuthCreateACL, ext: subj("User:alice"), body: `{"policies":[{"entries":[{"resource":"*","actions":["Any"],"decision":"Allow"}]}]}`,
			wantCode: admin.CodeNoPermission, wantRemark: "The actions can not be Any."},
		{name: "bad resource", code: admin.CodeAuthCreateACL, ext: subj("User:alice"), body: `{"policies":[{"entries":[{"resource":"Queue:x","actions":["Pub"],"decision":"Allow"}]}]}`,
			wantCode: admin.CodeNoPermission, wantRemark: "The resource is null."},
		{name: "bad source ip", code: admin.CodeAuthCreateACL, ext: subj("User:alice"), body: `{"policies":[{"entries":[{"resource":"*","actions":["Pub"],"sourceIps":["10.0.0.300"],"decision":"Allow"}]}]}`,
			wantCode: admin.CodeNoPermission, wantRemark: "The source ip is invalid."},
		{name: "no decision", code: admin.CodeAuthCreateACL, ext: subj("User:alice"), body: `{"policies":[{"entries":[{"resource":"*","actions":["Pub"],"decision":"Maybe"}]}]}`,
			wantCode: admin.CodeNoPermission, wantRemark: "The decision is null or illegal."},
		{name: "create", code: admin.CodeAuthCreateACL, ext: subj("ignored:x"), body: aliceACL},
		{name: "get", code: admin.CodeAuthGetACL, ext: subj("user:alice"), wantBody: wantAlice},
		{name: "create merges", code: admin.CodeAuthCreateACL, ext: subj("User:alice"),
			body: `{"policies":[{"policyType":"custom","entries":[{"resource":"Topic:orders","actions":["Pub"],"decision":"Deny"},{"resource":"Any:x","actions":["Get"],"decision":"Allow"}]}]}`},
		{name: "get merged", code: admin.CodeAuthGetACL, ext: subj("User:alice"), wantBody: wantMerged},
		{name: "get without subject", code: admin.CodeAuthGetACL, wantCode: admin.CodeSystemError, wantRemark: npeRemark + frameGetACL},
		{name: "get of a missing user", code: admin.CodeAuthGetACL, ext: subj("User:nobody"), wantCode: admin.CodeNoPermission, wantRemark: "The subject is not exist."},
		{name: "get of a user without ACL", code: admin.CodeAuthGetACL, ext: subj("User:admin"), wantBody: "-"},
		{name: "list", code: admin.CodeAuthListACL, wantBody: "[" + wantMerged + "]"},
		{name: "list by resource", code: admin.CodeAuthListACL, ext: map[string]string{"resourceFilter": "Group"},
			wantBody: `[{"policies":[{"entries":[{"actions":["Sub"],"decision":"Allow","resource":"Group:billing-*","sourceIps":["10.0.0.0/8"]}],"policyType":"Custom"}],"subject":"User:alice"}]`},
		{name: "list by subject", code: admin.CodeAuthListACL, ext: map[string]string{"subjectFilter": "bob"}, wantBody: "-"},
		{name: "delete without subject", code: admin.CodeAuthDeleteACL, wantCode: admin.CodeNoPermission, wantRemark: "The subject is null."},
		{name: "delete of a user without ACL", code: admin.CodeAuthDeleteACL, ext: subj("User:admin"), wantCode: admin.CodeNoPermission, wantRemark: "The acl is not exist."},
		{name: "delete one entry", code: admin.CodeAuthDeleteACL, ext: map[string]string{"subject": "User:alice", "resource": "*"}},
		{name: "get after the entry went", code: admin.CodeAuthGetACL, ext: subj("User:alice"),
			wantBody: `{"policies":[{"entries":[{"actions":["Pub"],"decision":"Deny","resource":"Topic:orders"},` +
				`{"actions":["Sub"],"decision":"Allow","resource":"Group:billing-*","sourceIps":["10.0.0.0/8"]}],"policyType":"Custom"}],"subject":"User:alice"}`},
		{name: "deleting the user deletes the ACL", code: admin.CodeAuthDeleteUser, ext: map[string]string{"username": "alice"}},
		{name: "no ACL left", code: admin.CodeAuthListACL, wantBody: "-"},
	})
}

// TestAuthCodesWithoutProviders: a broker without authentication has no
// metadata provider; the managers throw IllegalStateException.
func TestAuthCodesWithoutProviders(t *testing.T) {
	br, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = br.Close() }()
	resp, err := rawCall(t, br.Addr(), &remoting.Command{Code: admin.CodeAuthListUser})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Code != admin.CodeSystemError || resp.Remark != authSystemError {
		t.Fatalf("answer %d %q", resp.Code, resp.Remark)
	}
}

// TestAuthStorePersists: users and ACLs survive a restart (RocksDB under
// the store), and the initial user keeps the password it was created with
// even when the configured one changed (initUser creates only if absent).
func TestAuthStorePersists(t *testing.T) {
	dir := t.TempDir()
	br, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", Auth: adminAuth, StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	runAuthSteps(t, br, []authStep{
		{name: "create alice", code: admin.CodeAuthCreateUser, ext: map[string]string{"username": "alice"}, body: `{"password":"a"}`},
		{name: "create ACL", code: admin.CodeAuthCreateACL, ext: map[string]string{"subject": "User:alice"}, body: aliceACL},
	})
	users, acls := br.Users(), br.ACLs()
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", Auth: &Auth{AccessKey: "admin", SecretKey: "changed"}, StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = again.Close() }()
	if got := again.Users(); !maps.EqualFunc(got, users, admin.UserInfo.Equal) {
		t.Fatalf("users after restart %v, want %v", got, users)
	}
	if got := again.ACLs(); len(got) != 1 || !got["User:alice"].Covers(acls["User:alice"]) {
		t.Fatalf("ACLs after restart %v, want %v", got, acls)
	}
	// The stored password still signs; the changed one does not.
	runAuthSteps(t, again, []authStep{{name: "old password", code: admin.CodeAuthGetUser, ext: map[string]string{"username": "alice"}}})
	runAuthSteps(t, again, []authStep{{name: "new password", as: "admin:changed", code: admin.CodeAuthGetUser,
		ext: map[string]string{"username": "alice"}, wantCode: admin.CodeNoPermission, wantRemark: "check signature failed."}})
}
