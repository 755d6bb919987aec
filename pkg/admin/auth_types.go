package admin

import (
	"slices"
	"strings"
)

// ACL 2.0 admin request codes (RequestCode.AUTH_*, since 5.3.0). They are
// kept apart from codes.go so that the ACL 2.0 client reads as one piece.
const (
	CodeAuthCreateUser = 3001
	CodeAuthUpdateUser = 3002
	CodeAuthDeleteUser = 3003
	CodeAuthGetUser    = 3004
	CodeAuthListUser   = 3005
	CodeAuthCreateACL  = 3006
	CodeAuthUpdateACL  = 3007
	CodeAuthDeleteACL  = 3008
	CodeAuthGetACL     = 3009
	CodeAuthListACL    = 3010
)

// User types (auth UserType names) and statuses (UserStatus names). The
// broker matches them case-insensitively and answers with these spellings.
const (
	UserTypeSuper     = "Super"
	UserTypeNormal    = "Normal"
	UserStatusEnable  = "enable"
	UserStatusDisable = "disable"
)

// Policy types (PolicyType) and decisions (Decision) of ACL 2.0.
const (
	PolicyTypeCustom  = "Custom"
	PolicyTypeDefault = "Default"
	DecisionAllow     = "Allow"
	DecisionDeny      = "Deny"
)

// UserInfo mirrors org.apache.rocketmq.remoting.protocol.body.UserInfo.
// RocketMQ 5.3 returns the password in clear from GET and LIST
// (UserConverter.convertUser copies it); an empty Password on a listed
// user means the broker withheld it.
type UserInfo struct {
	Username   string `json:"username,omitempty"`
	Password   string `json:"password,omitempty"`
	UserType   string `json:"userType,omitempty"`
	UserStatus string `json:"userStatus,omitempty"`
}

// Equal compares two users as the broker stores them: type and status
// names are case-insensitive, an unset type is Normal and an unset status
// enable (AuthenticationMetadataManagerImpl.createUser's defaults).
func (u UserInfo) Equal(o UserInfo) bool {
	return u.Username == o.Username && u.Password == o.Password &&
		strings.EqualFold(orDefault(u.UserType, UserTypeNormal), orDefault(o.UserType, UserTypeNormal)) &&
		strings.EqualFold(orDefault(u.UserStatus, UserStatusEnable), orDefault(o.UserStatus, UserStatusEnable))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ACLInfo mirrors org.apache.rocketmq.remoting.protocol.body.AclInfo: the
// policies of one subject ("User:<name>").
type ACLInfo struct {
	Subject  string       `json:"subject,omitempty"`
	Policies []PolicyInfo `json:"policies,omitempty"`
}

// PolicyInfo mirrors AclInfo.PolicyInfo.
type PolicyInfo struct {
	PolicyType string            `json:"policyType,omitempty"`
	Entries    []PolicyEntryInfo `json:"entries,omitempty"`
}

// PolicyEntryInfo mirrors AclInfo.PolicyEntryInfo. Resource is a resource
// key ("Topic:orders", "Group:billing-*", "*"); Actions are Action names
// ("Pub", "Sub", "All", ...).
type PolicyEntryInfo struct {
	Resource  string   `json:"resource,omitempty"`
	Actions   []string `json:"actions,omitempty"`
	SourceIps []string `json:"sourceIps,omitempty"`
	Decision  string   `json:"decision,omitempty"`
}

// UserSubject is the ACL subject key of a user (Subject.getSubjectKey).
func UserSubject(username string) string { return "User:" + username }

// Covers reports whether a holds every policy entry of want with the same
// actions, source IPs and decision. The broker merges an ACL create or
// update into what it has (Acl.updatePolicy: entries are matched by
// policy type and resource, the rest stays), so a target that covers the
// source needs no write, and one that does not is fixed by sending the
// source's ACL.
func (a ACLInfo) Covers(want ACLInfo) bool {
	for _, p := range want.Policies {
		have := a.policy(p.PolicyType)
		for _, e := range p.Entries {
			cur, ok := have.entry(e.Resource)
			if !ok || !cur.sameAs(e) {
				return false
			}
		}
	}
	return true
}

// policy returns the policy of a type; an unset type is Custom
// (AuthorizationMetadataManagerImpl.initAcl).
func (a ACLInfo) policy(policyType string) PolicyInfo {
	for _, p := range a.Policies {
		if strings.EqualFold(orDefault(p.PolicyType, PolicyTypeCustom), orDefault(policyType, PolicyTypeCustom)) {
			return p
		}
	}
	return PolicyInfo{}
}

func (p PolicyInfo) entry(resource string) (PolicyEntryInfo, bool) {
	for _, e := range p.Entries {
		if e.Resource == resource {
			return e, true
		}
	}
	return PolicyEntryInfo{}, false
}

// sameAs compares entries as sets of actions and source IPs, and the
// decision by name.
func (e PolicyEntryInfo) sameAs(o PolicyEntryInfo) bool {
	return sameSet(e.Actions, o.Actions) && sameSet(e.SourceIps, o.SourceIps) &&
		strings.EqualFold(e.Decision, o.Decision)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
