package rmqtest

import (
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// The broker's ACL 2.0 metadata: LocalAuthenticationMetadataProvider and
// LocalAuthorizationMetadataProvider keep users and ACLs in RocksDB under
// the broker's own store (<storePathRootDir>/config/users and .../acls,
// BrokerStartup sets authConfigPath). Nothing replicates them between
// broker groups, which is why a new group starts with only the initial
// user, and why the metadata copy copies them.

// Remarks and exception texts of the ACL 2.0 admin paths.
const (
	authSystemError   = "An system error occurred, please try again later." // handleAuthException
	authzException    = "org.apache.rocketmq.auth.authorization.exception.AuthorizationException"
	frameCreateUser   = "org.apache.rocketmq.broker.processor.AdminBrokerProcessor.createUser(AdminBrokerProcessor.java:3067)"
	frameUpdateUser   = "org.apache.rocketmq.broker.processor.AdminBrokerProcessor.updateUser(AdminBrokerProcessor.java:3099)"
	frameCreateACL    = "org.apache.rocketmq.broker.processor.AdminBrokerProcessor.createAcl(AdminBrokerProcessor.java:3211)"
	frameUpdateACL    = "org.apache.rocketmq.broker.processor.AdminBrokerProcessor.updateAcl(AdminBrokerProcessor.java:3238)"
	frameConvertACL   = "org.apache.rocketmq.broker.auth.converter.AclConverter.convertAcl(AclConverter.java:54)"
	frameGetACL       = "org.apache.rocketmq.auth.authorization.manager.AuthorizationMetadataManagerImpl.getAcl(AuthorizationMetadataManagerImpl.java:180)"
	superCreateRemark = "The super user can only be create by super user"
	superUpdateRemark = "The super user can only be update by super user"
)

// handleAuth serves the AUTH_* codes, or returns nil for any other code.
func (b *Broker) handleAuth(req *remoting.Command) *remoting.Command {
	serve := map[int]func(*remoting.Command) *remoting.Command{
		admin.CodeAuthCreateUser: b.createUser, admin.CodeAuthUpdateUser: b.updateUser,
		admin.CodeAuthDeleteUser: b.deleteUser, admin.CodeAuthGetUser: b.getUser,
		admin.CodeAuthListUser: b.listUsers, admin.CodeAuthCreateACL: b.createACL,
		admin.CodeAuthUpdateACL: b.updateACL, admin.CodeAuthDeleteACL: b.deleteACL,
		admin.CodeAuthGetACL: b.getACL, admin.CodeAuthListACL: b.listACLs,
	}[req.Code]
	if serve == nil {
		return nil
	}
	if b.opts.Auth == nil {
		// No authentication metadata provider configured: the managers'
		// getAuthenticationMetadataProvider throws IllegalStateException,
		// which handleAuthException turns into this.
		return errorResponse(admin.CodeSystemError, authSystemError)
	}
	return serve(req)
}

// initAuth creates the maps and, with authentication on, the initial user
// as Super when absent (AuthenticationMetadataManagerImpl.initUser): a
// restarted broker keeps the password it stored first.
func (b *Broker) initAuth() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.users == nil {
		b.users = map[string]admin.UserInfo{}
	}
	if b.acls == nil {
		b.acls = map[string]admin.ACLInfo{}
	}
	a := b.opts.Auth
	if a == nil {
		return
	}
	if _, ok := b.users[a.AccessKey]; !ok {
		b.users[a.AccessKey] = admin.UserInfo{Username: a.AccessKey, Password: a.SecretKey,
			UserType: admin.UserTypeSuper, UserStatus: admin.UserStatusEnable}
	}
}

// user is the authentication lookup (LocalAuthenticationMetadataProvider.getUser).
func (b *Broker) user(name string) (admin.UserInfo, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.users[name]
	return u, ok
}

// notSuperLogin is AdminBrokerProcessor.isNotSuperUserLogin: a request
// without AccessKey counts as super (authentication may be off).
func (b *Broker) notSuperLogin(req *remoting.Command) bool {
	ak := req.ExtFields["AccessKey"]
	if ak == "" {
		return false
	}
	u, _ := b.user(ak)
	return u.UserType != admin.UserTypeSuper
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// byName returns the canonical spelling of name among names, matched
// case-insensitively as the enums' getByName do, or "" (null).
func byName(name string, names ...string) string {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}

// decodeUser reads a UserInfo body the way UserConverter.convertUser
// reads it: unknown type and status names become null.
func decodeUser(raw []byte, username string) (admin.UserInfo, error) {
	var u admin.UserInfo
	if err := remoting.Unmarshal(raw, &u); err != nil {
		return u, err
	}
	u.Username = username
	u.UserType = byName(u.UserType, admin.UserTypeSuper, admin.UserTypeNormal)
	u.UserStatus = byName(u.UserStatus, admin.UserStatusEnable, admin.UserStatusDisable)
	return u, nil
}

// userBody reads the header username and the UserInfo body as createUser
// and updateUser do; a non-nil response ends the request.
func userBody(req *remoting.Command, npeFrame string) (admin.UserInfo, *remoting.Command) {
	name, _ := headerOf(req).str("username")
	if name == "" {
		return admin.UserInfo{}, errorResponse(admin.CodeInvalidParameter, "The username is blank")
	}
	if len(req.Body) == 0 {
		// RemotingSerializable.decode(null) is null: userInfo.setUsername NPE.
		return admin.UserInfo{}, npe(npeFrame)
	}
	u, err := decodeUser(req.Body, name)
	if err != nil {
		return u, errorResponse(admin.CodeSystemError, "decoding UserInfo: "+err.Error())
	}
	return u, nil
}

// createUser follows AdminBrokerProcessor.createUser and
// AuthenticationMetadataManagerImpl.createUser.
func (b *Broker) createUser(req *remoting.Command) *remoting.Command {
	u, resp := userBody(req, frameCreateUser)
	if resp != nil {
		return resp
	}
	if u.UserType == admin.UserTypeSuper && b.notSuperLogin(req) {
		return errorResponse(admin.CodeSystemError, superCreateRemark)
	}
	switch {
	case isBlank(u.Username):
		return errorResponse(admin.CodeNoPermission, "username can not be blank")
	case isBlank(u.Password):
		return errorResponse(admin.CodeNoPermission, "password can not be blank")
	}
	u.UserType = orDefault(u.UserType, admin.UserTypeNormal)
	u.UserStatus = orDefault(u.UserStatus, admin.UserStatusEnable)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.users[u.Username]; ok {
		return errorResponse(admin.CodeNoPermission, "The user is existed")
	}
	b.users[u.Username] = u
	return successResponse()
}

// updateUser follows AdminBrokerProcessor.updateUser and
// AuthenticationMetadataManagerImpl.updateUser: blank fields keep theirs.
func (b *Broker) updateUser(req *remoting.Command) *remoting.Command {
	u, resp := userBody(req, frameUpdateUser)
	if resp != nil {
		return resp
	}
	if u.UserType == admin.UserTypeSuper && b.notSuperLogin(req) {
		return errorResponse(admin.CodeSystemError, superUpdateRemark)
	}
	if isBlank(u.Username) {
		return errorResponse(admin.CodeNoPermission, "username can not be blank")
	}
	notSuper := b.notSuperLogin(req)
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.users[u.Username]
	switch {
	case !ok:
		return errorResponse(admin.CodeNoPermission, "The user is not exist")
	case old.UserType == admin.UserTypeSuper && notSuper:
		return errorResponse(admin.CodeNoPermission, superUpdateRemark)
	}
	if !isBlank(u.Password) {
		old.Password = u.Password
	}
	old.UserType = orDefault(u.UserType, old.UserType)
	old.UserStatus = orDefault(u.UserStatus, old.UserStatus)
	b.users[u.Username] = old
	return successResponse()
}

// deleteUser follows AdminBrokerProcessor.deleteUser: a missing user is
// SUCCESS; the user's ACL goes with it (AuthenticationMetadataManagerImpl.deleteUser).
func (b *Broker) deleteUser(req *remoting.Command) *remoting.Command {
	name, _ := headerOf(req).str("username")
	if isBlank(name) {
		return errorResponse(admin.CodeNoPermission, "username can not be blank")
	}
	notSuper := b.notSuperLogin(req)
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.users[name]
	if !ok {
		return successResponse()
	}
	if old.UserType == admin.UserTypeSuper && notSuper {
		return errorResponse(admin.CodeNoPermission, superUpdateRemark)
	}
	delete(b.users, name)
	delete(b.acls, admin.UserSubject(name))
	return successResponse()
}

// userJSON is UserInfo as fastjson writes it: alphabetical, nulls left out.
type userJSON struct {
	Password   string `json:"password,omitempty"`
	UserStatus string `json:"userStatus,omitempty"`
	UserType   string `json:"userType,omitempty"`
	Username   string `json:"username,omitempty"`
}

func toUserJSON(u admin.UserInfo) userJSON {
	return userJSON{u.Password, u.UserStatus, u.UserType, u.Username}
}

// getUser follows AdminBrokerProcessor.getUser: no body for a missing user.
func (b *Broker) getUser(req *remoting.Command) *remoting.Command {
	name, _ := headerOf(req).str("username")
	if isBlank(name) {
		return errorResponse(admin.CodeInvalidParameter, "The username is blank")
	}
	resp := successResponse()
	if u, ok := b.user(name); ok {
		resp.Body = mustJSON(toUserJSON(u))
	}
	return resp
}

// listUsers follows LocalAuthenticationMetadataProvider.listUser: RocksDB
// key order, names containing a non-blank filter; no body when empty.
func (b *Broker) listUsers(req *remoting.Command) *remoting.Command {
	filter, _ := headerOf(req).str("filter")
	b.mu.Lock()
	var out []userJSON
	for _, name := range sortedNames(b.users) { // RocksDB's bytewise key order
		if isBlank(filter) || strings.Contains(name, filter) {
			out = append(out, toUserJSON(b.users[name]))
		}
	}
	b.mu.Unlock()
	resp := successResponse()
	if len(out) > 0 {
		resp.Body = mustJSON(out)
	}
	return resp
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
