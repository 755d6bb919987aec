// Package nsaddr keeps the running brokers' NameServer list equal to the
// ready NameServer pods, without restarting a broker: it reads each broker's
// namesrvAddr with GET_BROKER_CONFIG and sends UPDATE_BROKER_CONFIG only
// where it differs.
package nsaddr

import (
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// ConfigKey is the broker.conf key holding the NameServer list.
const ConfigKey = "namesrvAddr"

// DNSLookupKey is the broker.conf key that makes a broker resolve
// namesrvAddr as one DNS name every two minutes. The renderer turns it on
// with the headless Service name; an explicit list must turn it off, since
// BrokerOuterAPI.dnsLookupAddressByDomain cuts host and port at the first
// ':' and would turn "a:9876;b:9876" into one broken address.
const DNSLookupKey = "fetchNameSrvAddrByDnsLookup"

// Separator joins NameServer addresses in namesrvAddr, as RocketMQ reads it.
const Separator = ";"

// Addresses is the NameServer list the cluster should use.
type Addresses struct {
	// List holds host:port entries in pod ordinal order.
	List []string
	// Complete is true when every desired NameServer pod is ready. Only a
	// complete list is pushed to brokers: a rolling restart of the
	// NameServers must not make every broker drop and re-add each pod.
	Complete bool
}

// String is the namesrvAddr value of the list.
func (a Addresses) String() string { return Join(a.List) }

// Desired computes the NameServer list from the cluster's NameServer pods.
// A pod counts when it is ready, not being deleted, and its ordinal is below
// desired (a pod above it is on its way out during a scale-in). Pods are
// named by stable DNS name (<pod>.<svc>.<ns>.svc:9876), or by node IP when
// the NameServers run on the host network, since clients outside the pod
// network cannot resolve the cluster DNS.
func Desired(c *v1alpha1.RocketMQCluster, pods []corev1.Pod, desired int32) Addresses {
	type entry struct {
		ordinal int
		addr    string
	}
	var ready []entry
	for i := range pods {
		p := &pods[i]
		ord, ok := Ordinal(p.Name, c.NameServerName())
		if !ok || ord >= int(desired) || !PodReady(p) {
			continue
		}
		addr, ok := podAddress(c, p)
		if !ok {
			continue
		}
		ready = append(ready, entry{ord, addr})
	}
	sort.Slice(ready, func(i, j int) bool { return ready[i].ordinal < ready[j].ordinal })
	out := Addresses{List: make([]string, 0, len(ready))}
	for _, e := range ready {
		out.List = append(out.List, e.addr)
	}
	out.Complete = desired > 0 && len(out.List) == int(desired)
	return out
}

func podAddress(c *v1alpha1.RocketMQCluster, p *corev1.Pod) (string, bool) {
	port := strconv.Itoa(v1alpha1.PortNameServer)
	if c.Spec.NameServer.HostNetwork || p.Spec.HostNetwork {
		if p.Status.HostIP == "" {
			return "", false
		}
		return net.JoinHostPort(p.Status.HostIP, port), true
	}
	host := fmt.Sprintf("%s.%s.%s.svc", p.Name, c.NameServerName(), c.Namespace)
	return net.JoinHostPort(host, port), true
}

// Ordinal returns the StatefulSet ordinal of pod name in the set named set.
func Ordinal(pod, set string) (int, bool) {
	rest, ok := strings.CutPrefix(pod, set+"-")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || strconv.Itoa(n) != rest {
		return 0, false
	}
	return n, true
}

// PodReady reports whether the pod is Ready and not terminating.
func PodReady(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Split parses a namesrvAddr value: entries separated by ';', blanks
// dropped.
func Split(v string) []string {
	var out []string
	for _, s := range strings.Split(v, Separator) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Join is the namesrvAddr value of a list.
func Join(list []string) string { return strings.Join(list, Separator) }

// Equal compares two lists entry by entry. Order counts: brokers register
// with NameServers in list order, and the list we push is the one status
// and the ConfigMap show.
func Equal(a, b []string) bool { return slices.Equal(a, b) }
