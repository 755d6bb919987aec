package podruntime

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// resolveEnv is the kubelet's environment of the container: values,
// downward API fields, and keys of Secrets and ConfigMaps.
func (r *Runtime) resolveEnv(ctx context.Context, c *container) ([]string, error) {
	var out []string
	for _, e := range c.spec.Env {
		v, err := r.envValue(ctx, c.pod, e)
		if err != nil {
			return nil, fmt.Errorf("while resolving env %s: %w", e.Name, err)
		}
		out = append(out, e.Name+"="+v)
	}
	return out, nil
}

func (r *Runtime) envValue(ctx context.Context, p *corev1.Pod, e corev1.EnvVar) (string, error) {
	src := e.ValueFrom
	switch {
	case src == nil:
		return e.Value, nil
	case src.FieldRef != nil:
		return fieldValue(p, src.FieldRef.FieldPath)
	case src.SecretKeyRef != nil:
		var s corev1.Secret
		if err := r.Client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: src.SecretKeyRef.Name}, &s); err != nil {
			return "", err
		}
		v, ok := s.Data[src.SecretKeyRef.Key]
		if !ok {
			return "", fmt.Errorf("secret %s has no key %s", s.Name, src.SecretKeyRef.Key)
		}
		return string(v), nil
	case src.ConfigMapKeyRef != nil:
		var cm corev1.ConfigMap
		if err := r.Client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: src.ConfigMapKeyRef.Name}, &cm); err != nil {
			return "", err
		}
		return cm.Data[src.ConfigMapKeyRef.Key], nil
	}
	return "", fmt.Errorf("unsupported valueFrom")
}

func fieldValue(p *corev1.Pod, path string) (string, error) {
	switch path {
	case "metadata.name":
		return p.Name, nil
	case "metadata.namespace":
		return p.Namespace, nil
	case "metadata.uid":
		return string(p.UID), nil
	case "spec.nodeName":
		return p.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return p.Spec.ServiceAccountName, nil
	case "status.podIP":
		return p.Status.PodIP, nil
	case "status.hostIP":
		return p.Status.HostIP, nil
	}
	return "", fmt.Errorf("downward API field %s is not emulated", path)
}
