// Package clustercreds reads the ACL admin credentials of a RocketMQCluster,
// for every controller that signs admin requests to its brokers.
package clustercreds

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Read returns the ACL admin user from the Secret named in
// spec.acl.adminSecretRef, or nil when ACL is off. reader should be
// uncached (a direct GET): caching Secrets would need list and watch on
// every Secret in the cluster.
func Read(ctx context.Context, reader client.Reader, c *v1alpha1.RocketMQCluster) (*admin.Credentials, error) {
	ref := c.Spec.ACL.AdminSecretRef
	if !c.Spec.ACL.Enabled || ref == nil {
		return nil, nil
	}
	creds, _, err := FromSecret(ctx, reader, c.Namespace, ref)
	return creds, err
}

// FromSecret reads a username and password from the Secret ref names in
// namespace ns, and returns the Secret's resourceVersion with them (a
// credential rotation records which Secret the brokers accepted).
func FromSecret(ctx context.Context, reader client.Reader, ns string, ref *v1alpha1.SecretCredentialsRef) (*admin.Credentials, string, error) {
	var s corev1.Secret
	if err := reader.Get(ctx, client.ObjectKey{Namespace: ns, Name: ref.Name}, &s); err != nil {
		return nil, "", fmt.Errorf("while reading ACL Secret %s: %w", ref.Name, err)
	}
	userKey, passKey := or(ref.UsernameKey, "username"), or(ref.PasswordKey, "password")
	user, pass := s.Data[userKey], s.Data[passKey]
	if len(user) == 0 || len(pass) == 0 {
		// Name the keys, never the values.
		return nil, "", fmt.Errorf("ACL Secret %s lacks a non-empty %q or %q key", ref.Name, userKey, passKey)
	}
	return &admin.Credentials{AccessKey: string(user), SecretKey: string(pass)}, s.ResourceVersion, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
