package rmqtest

import (
	"maps"
	"slices"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// Users returns a copy of the broker's ACL 2.0 users by name.
func (b *Broker) Users() map[string]admin.UserInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.users)
}

// ACLs returns a copy of the broker's ACL 2.0 ACLs by subject key.
func (b *Broker) ACLs() map[string]admin.ACLInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]admin.ACLInfo, len(b.acls))
	for k, a := range b.acls {
		out[k] = cloneACL(a)
	}
	return out
}

// PutUsers stores users as given, bypassing the request checks (a test
// seeding a broker, or withholding passwords as some brokers do).
func (b *Broker) PutUsers(us ...admin.UserInfo) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range us {
		b.users[u.Username] = u
	}
}

// PutACLs stores ACLs as given, replacing the subject's ACL.
func (b *Broker) PutACLs(as ...admin.ACLInfo) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, a := range as {
		b.acls[a.Subject] = cloneACL(a)
	}
}

func cloneACL(a admin.ACLInfo) admin.ACLInfo {
	a.Policies = slices.Clone(a.Policies)
	for i, p := range a.Policies {
		p.Entries = slices.Clone(p.Entries)
		for j, e := range p.Entries {
			e.Actions, e.SourceIps = slices.Clone(e.Actions), slices.Clone(e.SourceIps)
			p.Entries[j] = e
		}
		a.Policies[i] = p
	}
	return a
}
