package testenv

import (
	"fmt"

	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ImpersonatedConfig is Config acting as the ServiceAccount
// serviceAccountNamespace/name, with the groups a ServiceAccount token
// carries, so that RBAC tests see exactly what a pod running as that
// ServiceAccount may do. The ServiceAccount object itself need not exist.
func (e *Env) ImpersonatedConfig(serviceAccountNamespace, name string) *rest.Config {
	cfg := rest.CopyConfig(e.Config)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: serviceaccount.MakeUsername(serviceAccountNamespace, name),
		Groups: append(serviceaccount.MakeGroupNames(serviceAccountNamespace),
			user.AllAuthenticated),
	}
	return cfg
}

// ImpersonatedClient is a client on ImpersonatedConfig and the Env's Scheme.
func (e *Env) ImpersonatedClient(serviceAccountNamespace, name string) (client.Client, error) {
	c, err := client.New(e.ImpersonatedConfig(serviceAccountNamespace, name), client.Options{Scheme: e.Scheme})
	if err != nil {
		return nil, fmt.Errorf("creating a client as ServiceAccount %s/%s: %w", serviceAccountNamespace, name, err)
	}
	return c, nil
}
