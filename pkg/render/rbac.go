package render

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// The status controller's ServiceAccount as the install bundle
// (config/default) creates it.
const (
	DefaultStatusControllerNamespace      = "rocketmq-gitops-system"
	DefaultStatusControllerServiceAccount = "rocketmq-gitops-status-controller"
)

// componentStatusController labels the per-cluster Role and RoleBinding.
const componentStatusController = "status-controller"

// StatusController names the ServiceAccount the status controller runs as.
type StatusController struct {
	Namespace      string
	ServiceAccount string
}

// Options are the renderer's settings that do not belong to a cluster's
// spec: they describe the installation around it.
type Options struct {
	// StatusController is bound to each cluster's Role.
	StatusController StatusController
}

// DefaultOptions match the install bundle.
func DefaultOptions() Options {
	return Options{StatusController: StatusController{
		Namespace:      DefaultStatusControllerNamespace,
		ServiceAccount: DefaultStatusControllerServiceAccount,
	}}
}

// StatusControllerRoleName is the name of a cluster's Role and RoleBinding.
func StatusControllerRoleName(c *v1alpha1.RocketMQCluster) string {
	return c.Name + "-status-controller"
}

// statusControllerRBAC is the Role and RoleBinding that give the status
// controller exactly this cluster's objects it reads or writes besides
// what it watches: the ConfigMap of NameServer addresses and, with ACL on,
// the admin Secret, each by name. The ClusterRole then needs neither
// Secrets nor ConfigMaps, so a compromised controller cannot read other
// Secrets or rewrite other ConfigMaps (argocd-rbac-cm, coredns).
//
// Creating cannot be limited by name (the name is not known to RBAC
// before the object exists), so create on ConfigMaps is granted in the
// cluster's namespace without resourceNames: it lets the controller add a
// ConfigMap, never read or change an existing one.
func statusControllerRBAC(c *v1alpha1.RocketMQCluster, sc StatusController) []runtime.Object {
	rules := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps"},
			ResourceNames: []string{c.NameServerAddressesConfigMapName()}, Verbs: []string{"get", "patch", "update"}},
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"create"}},
	}
	if aclEnabled(c) {
		// The next admin Secret of a credential rotation is read too: the
		// controller creates that user on every broker before pods use it.
		secrets := []string{c.Spec.ACL.AdminSecretRef.Name}
		if next := c.Spec.ACL.NextAdminSecretRef; next != nil && next.Name != "" {
			secrets = append(secrets, next.Name)
		}
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"},
			ResourceNames: secrets, Verbs: []string{"get"}})
	}
	name := StatusControllerRoleName(c)
	role := &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "Role"},
		ObjectMeta: objectMeta(c, name, componentStatusController, -1, waveCoordination),
		Rules:      rules,
	}
	binding := &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "RoleBinding"},
		ObjectMeta: objectMeta(c, name, componentStatusController, -1, waveCoordination),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects: []rbacv1.Subject{{
			Kind: rbacv1.ServiceAccountKind, Name: sc.ServiceAccount, Namespace: sc.Namespace,
		}},
	}
	return []runtime.Object{role, binding}
}
