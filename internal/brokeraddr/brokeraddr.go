// Package brokeraddr maps a broker address that a NameServer hands out
// (route data, cluster info, master addresses) to the pod behind it.
//
// Rendered brokers register under brokerIP1, which the renderer sets to the
// pod's stable DNS name, so a NameServer says
// "<pod>.<svc>.<ns>.svc:10911", possibly with the cluster domain appended
// by whoever wrote the config. A broker configured by hand may register
// under its pod IP instead. The controllers dial the pod they find at its
// pod IP: that needs no cluster DNS, which the controller's pod has but
// tests (and a controller running outside the cluster) do not.
package brokeraddr

import (
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Pod returns the pod of pods that addr (host:port) names, or nil:
//   - an IP literal names the pod with that pod IP;
//   - "<pod>.<svc>.<ns>.svc", followed by any cluster domain or none, names
//     the pod called <pod> in namespace <ns> whose DNS subdomain is <svc>:
//     its spec.subdomain, else the serviceName of the StatefulSet that
//     controls it, looked up in serviceNames (StatefulSet name → serviceName;
//     nil when the pods come with their subdomain, as the API server's do);
//   - anything else names no pod: a name outside the cluster DNS scheme
//     cannot be mapped without resolving it.
func Pod(addr string, pods []corev1.Pod, serviceNames map[string]string) *corev1.Pod {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil {
		return byIP(ip, pods)
	}
	name, svc, ns, ok := parseName(host)
	if !ok {
		return nil
	}
	for i := range pods {
		p := &pods[i]
		if p.Name == name && p.Namespace == ns && subdomain(p, serviceNames) == svc {
			return p
		}
	}
	return nil
}

func byIP(ip net.IP, pods []corev1.Pod) *corev1.Pod {
	for i := range pods {
		if podHasIP(&pods[i], ip) {
			return &pods[i]
		}
	}
	return nil
}

func podHasIP(p *corev1.Pod, ip net.IP) bool {
	if got := net.ParseIP(p.Status.PodIP); got != nil && got.Equal(ip) {
		return true
	}
	for _, pip := range p.Status.PodIPs {
		if got := net.ParseIP(pip.IP); got != nil && got.Equal(ip) {
			return true
		}
	}
	return false
}

// parseName splits "<pod>.<svc>.<ns>.svc[.<domain>]". DNS names compare
// without case and may end in a dot (fully qualified).
func parseName(host string) (pod, svc, ns string, ok bool) {
	labels := strings.Split(strings.TrimSuffix(strings.ToLower(host), "."), ".")
	if len(labels) < 4 || labels[3] != "svc" {
		return "", "", "", false
	}
	for _, l := range labels {
		if l == "" {
			return "", "", "", false
		}
	}
	return labels[0], labels[1], labels[2], true
}

// subdomain is the headless Service part of the pod's DNS name.
func subdomain(p *corev1.Pod, serviceNames map[string]string) string {
	if p.Spec.Subdomain != "" {
		return p.Spec.Subdomain
	}
	if owner := metav1.GetControllerOf(p); owner != nil && owner.Kind == "StatefulSet" {
		return serviceNames[owner.Name]
	}
	return ""
}

// PodKey returns the namespace and name of the pod an address names by its
// DNS name ("<pod>.<svc>.<ns>.svc[...]:<port>" or without port); an IP or
// any other name gives ok false.
func PodKey(addr string) (namespace, name string, ok bool) {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	pod, _, ns, ok := parseName(host)
	return ns, pod, ok
}

// Remoting is where the controllers reach a broker pod: its pod IP and the
// broker's remoting port, or "" while the pod has no IP.
func Remoting(p *corev1.Pod) string {
	if p.Status.PodIP == "" {
		return ""
	}
	return net.JoinHostPort(p.Status.PodIP, strconv.Itoa(v1alpha1.PortBroker))
}
