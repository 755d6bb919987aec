package render

import (
	"fmt"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func statusControllerRole(t *testing.T, c *v1alpha1.RocketMQCluster, opts Options) (*rbacv1.Role, *rbacv1.RoleBinding) {
	t.Helper()
	objs, err := RenderWith(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	name := StatusControllerRoleName(c)
	return typed[rbacv1.Role](t, find(t, objs, "Role", name)), typed[rbacv1.RoleBinding](t, find(t, objs, "RoleBinding", name))
}

// TestStatusControllerRole (rules compared as text: the converted objects
// hold empty lists where the builder had nil) checks the Role names exactly the cluster's
// ConfigMap and, with ACL on, its admin Secret, and nothing else but the
// create that RBAC cannot limit by name.
func TestStatusControllerRole(t *testing.T) {
	c := fullCluster("orders", "mq")
	role, binding := statusControllerRole(t, c, DefaultOptions())
	cm := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"},
		ResourceNames: []string{"orders-nameserver-addresses"}, Verbs: []string{"get", "patch", "update"}}
	create := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"create"}}
	if want := []rbacv1.PolicyRule{cm, create}; fmt.Sprint(role.Rules) != fmt.Sprint(want) {
		t.Errorf("rules without ACL %+v, want %+v", role.Rules, want)
	}
	for _, r := range role.Rules {
		if len(r.APIGroups) != 1 || r.APIGroups[0] != "" {
			t.Errorf("rule %+v: apiGroups must be the core group [\"\"], which the output cleaning must keep", r)
		}
	}
	if role.Namespace != "mq" || binding.Namespace != "mq" || binding.RoleRef.Name != role.Name || binding.RoleRef.Kind != "Role" {
		t.Errorf("Role %s/%s bound by %s/%s to %+v", role.Namespace, role.Name, binding.Namespace, binding.Name, binding.RoleRef)
	}
	want := rbacv1.Subject{Kind: "ServiceAccount", Name: "rocketmq-gitops-status-controller", Namespace: "rocketmq-gitops-system"}
	if len(binding.Subjects) != 1 || binding.Subjects[0] != want {
		t.Errorf("subjects %+v, want %+v", binding.Subjects, want)
	}

	c.Spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: "mq-admin"}}
	role, binding = statusControllerRole(t, c, Options{StatusController: StatusController{Namespace: "ops", ServiceAccount: "rmq"}})
	secret := rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"mq-admin"}, Verbs: []string{"get"}}
	if want := []rbacv1.PolicyRule{cm, create, secret}; fmt.Sprint(role.Rules) != fmt.Sprint(want) {
		t.Errorf("rules with ACL %+v, want %+v", role.Rules, want)
	}
	if s := binding.Subjects[0]; s.Name != "rmq" || s.Namespace != "ops" {
		t.Errorf("configured subject %+v", s)
	}
}
