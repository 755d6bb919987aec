package rmqtest

import (
	"net"
	"slices"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// Names of the ACL 2.0 enums (ResourceType, Action), as getByName matches them.
var (
	resourceTypes = []string{"Unknown", "Any", "Cluster", "Namespace", "Topic", "Group"}
	actionNames   = []string{"Unknown", "All", "Any", "Pub", "Sub", "Create", "Update", "Delete", "Get", "List"}
)

// subjectKey is Subject.of(key).getSubjectKey(): the type before the
// first ':' (the whole key without one) must be User; "" is null.
func subjectKey(key string) string {
	typ, name, _ := strings.Cut(key, ":")
	if byName(typ, "User") == "" {
		return ""
	}
	return admin.UserSubject(name)
}

// resourceKey is Resource.of(key).getResourceKey(): "" when Resource.of
// returns null (blank key or unknown type).
func resourceKey(key string) string {
	if isBlank(key) {
		return ""
	}
	if key == "*" {
		return "*"
	}
	typ, name, _ := strings.Cut(key, ":")
	typ = byName(typ, resourceTypes...)
	switch {
	case typ == "":
		return ""
	case typ == "Any":
		return "*"
	case name == "*":
		return typ + ":*"
	case strings.HasSuffix(name, "*"):
		before, _, _ := strings.Cut(name, "*")
		return typ + ":" + before + "*"
	}
	return typ + ":" + name
}

// aclBody is AclInfo as fastjson reads it; Actions stays nil when absent.
type aclBody struct {
	Subject  string `json:"subject"`
	Policies []struct {
		PolicyType string `json:"policyType"`
		Entries    []struct {
			Resource  string    `json:"resource"`
			Actions   *[]string `json:"actions"`
			SourceIps []string  `json:"sourceIps"`
			Decision  string    `json:"decision"`
		} `json:"entries"`
	} `json:"policies"`
}

// decodeACL reads the body of createAcl/updateAcl and converts it as
// AclConverter.convertAcl does: the body's subject, else the header's;
// policies without entries dropped; unknown actions dropped; unknown
// names null (""). A non-nil response ends the request.
func decodeACL(req *remoting.Command, bodyFrame string) (admin.ACLInfo, *remoting.Command) {
	var body aclBody
	if len(req.Body) > 0 {
		if err := remoting.Unmarshal(req.Body, &body); err != nil {
			return admin.ACLInfo{}, errorResponse(admin.CodeSystemError, "decoding AclInfo: "+err.Error())
		}
	}
	if len(body.Policies) == 0 {
		return admin.ACLInfo{}, thrown(authzException+": The body of acl is null", bodyFrame)
	}
	acl := admin.ACLInfo{Subject: subjectKey(body.Subject)}
	if acl.Subject == "" {
		h, _ := headerOf(req).str("subject")
		acl.Subject = subjectKey(h)
	}
	for _, p := range body.Policies {
		if len(p.Entries) == 0 {
			continue
		}
		pi := admin.PolicyInfo{PolicyType: byName(p.PolicyType, admin.PolicyTypeCustom, admin.PolicyTypeDefault)}
		for _, e := range p.Entries {
			if e.Actions == nil {
				return acl, npe(frameConvertACL) // for (String a : entryInfo.getActions())
			}
			pe := admin.PolicyEntryInfo{Resource: resourceKey(e.Resource), SourceIps: e.SourceIps,
				Decision: byName(e.Decision, admin.DecisionAllow, admin.DecisionDeny)}
			for _, a := range *e.Actions {
				if n := byName(a, actionNames...); n != "" {
					pe.Actions = append(pe.Actions, n)
				}
			}
			pi.Entries = append(pi.Entries, pe)
		}
		acl.Policies = append(acl.Policies, pi)
	}
	return acl, nil
}

// validateACL is AuthorizationMetadataManagerImpl.validate; a null subject
// is an NPE inside the manager's try, reported as a system error.
func validateACL(acl admin.ACLInfo) *remoting.Command {
	if acl.Subject == "" {
		return errorResponse(admin.CodeSystemError, authSystemError)
	}
	if len(acl.Policies) == 0 {
		return errorResponse(admin.CodeNoPermission, "The policies is empty.")
	}
	for _, p := range acl.Policies {
		for _, e := range p.Entries {
			if remark := validateEntry(e); remark != "" {
				return errorResponse(admin.CodeNoPermission, remark)
			}
		}
	}
	return nil
}

func validateEntry(e admin.PolicyEntryInfo) string {
	switch {
	case e.Resource == "":
		return "The resource is null."
	case len(e.Actions) == 0:
		return "The actions is empty."
	case slices.Contains(e.Actions, "Any"):
		return "The actions can not be Any."
	}
	for _, ip := range e.SourceIps {
		if isBlank(ip) {
			return "The source ip is empty."
		}
		if !validIPOrCIDR(ip) {
			return "The source ip is invalid."
		}
	}
	if e.Decision == "" {
		return "The decision is null or illegal."
	}
	return ""
}

// validIPOrCIDR approximates IPAddressUtils.isValidIPOrCidr (commons-validator
// InetAddressValidator and a CIDR check).
func validIPOrCIDR(s string) bool {
	if net.ParseIP(s) != nil {
		return true
	}
	_, _, err := net.ParseCIDR(s)
	return err == nil
}

// createACL and updateACL are the same in Java (createAcl/updateAcl of
// AdminBrokerProcessor and AuthorizationMetadataManagerImpl): the policies
// are merged into an existing ACL, or stored as a new one.
func (b *Broker) createACL(req *remoting.Command) *remoting.Command {
	return b.writeACL(req, frameCreateACL)
}

func (b *Broker) updateACL(req *remoting.Command) *remoting.Command {
	return b.writeACL(req, frameUpdateACL)
}

func (b *Broker) writeACL(req *remoting.Command, bodyFrame string) *remoting.Command {
	acl, resp := decodeACL(req, bodyFrame)
	if resp != nil {
		return resp
	}
	if resp := validateACL(acl); resp != nil {
		return resp
	}
	for i := range acl.Policies {
		acl.Policies[i].PolicyType = orDefault(acl.Policies[i].PolicyType, admin.PolicyTypeCustom) // initAcl
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.users[strings.TrimPrefix(acl.Subject, "User:")]; !ok {
		return errorResponse(admin.CodeNoPermission, "The subject of "+acl.Subject+" is not exist.")
	}
	old, ok := b.acls[acl.Subject]
	if !ok {
		b.acls[acl.Subject] = acl
		return successResponse()
	}
	b.acls[acl.Subject] = mergeACL(old, acl.Policies)
	return successResponse()
}

// mergeACL is Acl.updatePolicy and Policy.updateEntry: a new policy type
// is added, an entry of a known resource replaced, others appended.
func mergeACL(old admin.ACLInfo, policies []admin.PolicyInfo) admin.ACLInfo {
	old.Policies = slices.Clone(old.Policies)
	for _, np := range policies {
		i := slices.IndexFunc(old.Policies, func(p admin.PolicyInfo) bool { return p.PolicyType == np.PolicyType })
		if i < 0 {
			old.Policies = append(old.Policies, np)
			continue
		}
		entries := slices.Clone(old.Policies[i].Entries)
		for _, ne := range np.Entries {
			j := slices.IndexFunc(entries, func(e admin.PolicyEntryInfo) bool { return e.Resource == ne.Resource })
			if j < 0 {
				entries = append(entries, ne)
			} else {
				entries[j] = ne
			}
		}
		old.Policies[i].Entries = entries
	}
	return old
}

// deleteACL follows AuthorizationMetadataManagerImpl.deleteAcl: without a
// resource the whole ACL goes, else one entry of the policy type (Custom
// when not given), and the ACL when no policy is left.
func (b *Broker) deleteACL(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	raw, _ := h.str("subject")
	subject := subjectKey(raw)
	if subject == "" {
		return errorResponse(admin.CodeNoPermission, "The subject is null.")
	}
	pt, _ := h.str("policyType")
	policyType := orDefault(byName(pt, admin.PolicyTypeCustom, admin.PolicyTypeDefault), admin.PolicyTypeCustom)
	res, _ := h.str("resource")
	resource := resourceKey(res)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.users[strings.TrimPrefix(subject, "User:")]; !ok {
		return errorResponse(admin.CodeNoPermission, "The subject is not exist.")
	}
	old, ok := b.acls[subject]
	if !ok {
		return errorResponse(admin.CodeNoPermission, "The acl is not exist.")
	}
	if resource != "" {
		old = deleteEntry(old, policyType, resource)
	}
	if resource == "" || len(old.Policies) == 0 {
		delete(b.acls, subject)
	} else {
		b.acls[subject] = old
	}
	return successResponse()
}

// deleteEntry is Acl.deletePolicy: the entry goes, and its policy when empty.
func deleteEntry(acl admin.ACLInfo, policyType, resource string) admin.ACLInfo {
	var kept []admin.PolicyInfo
	for _, p := range acl.Policies {
		if p.PolicyType == policyType {
			p.Entries = slices.DeleteFunc(slices.Clone(p.Entries), func(e admin.PolicyEntryInfo) bool { return e.Resource == resource })
			if len(p.Entries) == 0 {
				continue
			}
		}
		kept = append(kept, p)
	}
	acl.Policies = kept
	return acl
}

// getACL follows AdminBrokerProcessor.getAcl: a null subject is an NPE
// thrown before the manager's future; a missing user NO_PERMISSION; no
// ACL is SUCCESS without a body.
func (b *Broker) getACL(req *remoting.Command) *remoting.Command {
	raw, _ := headerOf(req).str("subject")
	subject := subjectKey(raw)
	if subject == "" {
		return npe(frameGetACL)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.users[strings.TrimPrefix(subject, "User:")]; !ok {
		return errorResponse(admin.CodeNoPermission, "The subject is not exist.")
	}
	resp := successResponse()
	if acl, ok := b.acls[subject]; ok {
		resp.Body = mustJSON(toACLJSON(acl))
	}
	return resp
}

// listACLs follows LocalAuthorizationMetadataProvider.listAcl, quirk
// included: the resource filter is skipped when the subject key contains it.
func (b *Broker) listACLs(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	subjectFilter, _ := h.str("subjectFilter")
	resourceFilter, _ := h.str("resourceFilter")
	b.mu.Lock()
	var out []aclJSON
	for _, key := range sortedNames(b.acls) {
		if !isBlank(subjectFilter) && !strings.Contains(key, subjectFilter) {
			continue
		}
		acl := b.acls[key]
		if !isBlank(resourceFilter) && !strings.Contains(key, resourceFilter) {
			acl = filterResources(acl, resourceFilter)
		}
		if len(acl.Policies) > 0 {
			out = append(out, toACLJSON(acl))
		}
	}
	b.mu.Unlock()
	resp := successResponse()
	if len(out) > 0 {
		resp.Body = mustJSON(out)
	}
	return resp
}

func filterResources(acl admin.ACLInfo, filter string) admin.ACLInfo {
	var kept []admin.PolicyInfo
	for _, p := range acl.Policies {
		p.Entries = slices.DeleteFunc(slices.Clone(p.Entries), func(e admin.PolicyEntryInfo) bool { return !strings.Contains(e.Resource, filter) })
		if len(p.Entries) > 0 {
			kept = append(kept, p)
		}
	}
	acl.Policies = kept
	return acl
}

// aclJSON, policyJSON and entryJSON are AclInfo as fastjson writes it:
// alphabetical fields, nulls left out.
type aclJSON struct {
	Policies []policyJSON `json:"policies,omitempty"`
	Subject  string       `json:"subject"`
}

type policyJSON struct {
	Entries    []entryJSON `json:"entries,omitempty"`
	PolicyType string      `json:"policyType,omitempty"`
}

type entryJSON struct {
	Actions   []string `json:"actions,omitempty"`
	Decision  string   `json:"decision,omitempty"`
	Resource  string   `json:"resource,omitempty"`
	SourceIps []string `json:"sourceIps,omitempty"`
}

func toACLJSON(acl admin.ACLInfo) aclJSON {
	out := aclJSON{Subject: acl.Subject}
	for _, p := range acl.Policies {
		pj := policyJSON{PolicyType: p.PolicyType}
		for _, e := range p.Entries {
			pj.Entries = append(pj.Entries, entryJSON{e.Actions, e.Decision, e.Resource, e.SourceIps})
		}
		out.Policies = append(out.Policies, pj)
	}
	return out
}
