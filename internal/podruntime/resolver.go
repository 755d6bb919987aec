package podruntime

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

// Resolver answers cluster DNS names from the API server, following the
// Kubernetes DNS specification as CoreDNS implements it:
//   - <svc>.<ns>.svc: a headless Service's ready endpoints (all pods with
//     an IP when publishNotReadyAddresses), else its cluster IP;
//   - <hostname>.<subdomain>.<ns>.svc: the pod with that hostname and
//     subdomain when a headless Service named <subdomain> selects it and
//     it is ready (or the Service publishes not-ready addresses).
//
// Either may end in the cluster domain. The API server refuses loopback
// addresses in EndpointSlices, so endpoints are computed from the pods.
type Resolver struct {
	Client client.Reader
	// Domain is the cluster domain, "cluster.local" by default.
	Domain string
	// Timeout bounds one lookup's API reads.
	Timeout time.Duration
}

// LookupHost resolves name to IP addresses, sorted.
func (r *Resolver) LookupHost(name string) ([]string, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	parts, ok := r.split(name)
	if !ok {
		return nil, fmt.Errorf("lookup %s: not a cluster name", name)
	}
	var ips []string
	var err error
	switch len(parts) {
	case 2:
		ips, err = r.service(ctx, parts[1], parts[0])
	case 3:
		ips, err = r.pod(ctx, parts[2], parts[1], parts[0])
	}
	if err != nil {
		return nil, fmt.Errorf("lookup %s: %w", name, err)
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("lookup %s: no such host", name)
	}
	sort.Strings(ips)
	return ips, nil
}

// split cuts "<a>.<b>.<ns>.svc[.<domain>]" into its labels before "svc".
func (r *Resolver) split(name string) ([]string, bool) {
	domain := r.Domain
	if domain == "" {
		domain = "cluster.local"
	}
	name = strings.TrimSuffix(strings.TrimSuffix(name, "."), "."+domain)
	rest, ok := strings.CutSuffix(name, ".svc")
	if !ok {
		return nil, false
	}
	parts := strings.Split(rest, ".")
	return parts, len(parts) == 2 || len(parts) == 3
}

func (r *Resolver) service(ctx context.Context, ns, name string) ([]string, error) {
	var svc corev1.Service
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &svc); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		return []string{svc.Spec.ClusterIP}, nil
	}
	pods, err := r.selected(ctx, &svc)
	if err != nil {
		return nil, err
	}
	var ips []string
	for i := range pods {
		if published(&svc, &pods[i]) {
			ips = append(ips, pods[i].Status.PodIP)
		}
	}
	return ips, nil
}

func (r *Resolver) pod(ctx context.Context, ns, subdomain, hostname string) ([]string, error) {
	var svc corev1.Service
	if err := r.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: subdomain}, &svc); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		return nil, nil
	}
	pods, err := r.selected(ctx, &svc)
	if err != nil {
		return nil, err
	}
	for i := range pods {
		p := &pods[i]
		if podHostname(p) == hostname && p.Spec.Subdomain == subdomain && published(&svc, p) {
			return []string{p.Status.PodIP}, nil
		}
	}
	return nil, nil
}

// selected lists the pods a Service selects.
func (r *Resolver) selected(ctx context.Context, svc *corev1.Service) ([]corev1.Pod, error) {
	if len(svc.Spec.Selector) == 0 {
		return nil, nil
	}
	var pods corev1.PodList
	err := r.Client.List(ctx, &pods, client.InNamespace(svc.Namespace),
		client.MatchingLabelsSelector{Selector: labels.SelectorFromSet(svc.Spec.Selector)})
	return pods.Items, err
}

// published says whether an endpoint of the pod is in DNS: it has an IP,
// is not terminating, and is ready unless the Service publishes not-ready
// addresses (EndpointSlice controller rules).
func published(svc *corev1.Service, p *corev1.Pod) bool {
	if p.Status.PodIP == "" || p.DeletionTimestamp != nil {
		return false
	}
	return svc.Spec.PublishNotReadyAddresses || nsaddr.PodReady(p)
}

func podHostname(p *corev1.Pod) string {
	if p.Spec.Hostname != "" {
		return p.Spec.Hostname
	}
	return p.Name
}
