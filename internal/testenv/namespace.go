package testenv

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Pod Security Standards levels for NewNamespace.
const (
	PodSecurityRestricted = "restricted"
	PodSecurityBaseline   = "baseline"
	PodSecurityPrivileged = "privileged"
)

// podSecurityModes are the admission modes NewNamespace labels: enforce
// rejects a violating Pod, warn reports a violating Pod template (of a
// StatefulSet, a Deployment) as an API warning, audit only annotates logs.
var podSecurityModes = []string{"enforce", "warn", "audit"}

// NewNamespace creates a namespace with a unique name derived from the test
// name and returns its name. A non-empty podSecurityLevel (restricted,
// baseline or privileged) is set, at version latest, for the enforce, warn
// and audit modes of Pod Security admission. The namespace is deleted when
// the test ends; without a namespace controller in envtest it then stays
// Terminating, which no later test sees since names are unique.
func (e *Env) NewNamespace(tb testing.TB, podSecurityLevel string) string {
	tb.Helper()
	labels, ok := podSecurityLabels(podSecurityLevel)
	if !ok {
		tb.Fatalf("testenv: unknown Pod Security level %q (want %s, %s, %s or empty)",
			podSecurityLevel, PodSecurityRestricted, PodSecurityBaseline, PodSecurityPrivileged)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: namespacePrefix(tb.Name()),
		Labels:       labels,
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.Client.Create(ctx, ns); err != nil {
		tb.Fatalf("testenv: creating a namespace for %s: %v", tb.Name(), err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Client.Delete(ctx, ns); client.IgnoreNotFound(err) != nil {
			tb.Errorf("testenv: deleting namespace %s: %v", ns.Name, err)
		}
	})
	return ns.Name
}

func podSecurityLabels(level string) (map[string]string, bool) {
	switch level {
	case "":
		return nil, true
	case PodSecurityRestricted, PodSecurityBaseline, PodSecurityPrivileged:
	default:
		return nil, false
	}
	labels := map[string]string{}
	for _, mode := range podSecurityModes {
		labels["pod-security.kubernetes.io/"+mode] = level
		labels["pod-security.kubernetes.io/"+mode+"-version"] = "latest"
	}
	return labels, true
}

// namespacePrefix turns a test name into a DNS label prefix, so that a
// namespace left behind tells which test made it.
func namespacePrefix(testName string) string {
	const maxLen = 40 // leaves room for the 5 random characters of GenerateName
	var b strings.Builder
	dash := true // no leading dash
	for _, r := range strings.ToLower(testName) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= maxLen {
			break
		}
	}
	prefix := strings.TrimRight(b.String(), "-")
	if prefix == "" || prefix[0] < 'a' {
		prefix = "t-" + prefix
	}
	return strings.TrimRight(prefix, "-") + "-"
}
