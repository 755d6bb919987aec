package transfer

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/brokeraddr"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

// session holds what one reconcile resolved: admin clients signed with ACL
// credentials, closed when the reconcile ends.
type session struct {
	r       *Reconciler
	acl     map[admin.Credentials]topictransfer.Admin
	closers []func()

	// resolved endpoints, reused by every transition of the reconcile
	resolved bool
	src, tgt topictransfer.Endpoint
}

func (s *session) close() {
	for _, f := range s.closers {
		f()
	}
}

func (s *session) adminFor(creds *admin.Credentials) topictransfer.Admin {
	if creds == nil {
		return s.r.opts.Admin
	}
	if a, ok := s.acl[*creds]; ok {
		return a
	}
	if s.acl == nil {
		s.acl = map[admin.Credentials]topictransfer.Admin{}
	}
	a, closer := s.r.opts.NewACLAdmin(creds)
	s.acl[*creds] = a
	s.closers = append(s.closers, closer)
	return a
}

// resolveBoth resolves the source and the target of a transfer, once per
// reconcile: addresses do not need to be fresher than that.
func (s *session) resolveBoth(ctx context.Context, tt *v1alpha1.TopicTransfer) (topictransfer.Endpoint, topictransfer.Endpoint, error) {
	if s.resolved {
		return s.src, s.tgt, nil
	}
	src, err := s.resolve(ctx, tt.Namespace, &tt.Spec.Source)
	if err != nil {
		return src, src, fmt.Errorf("source: %w", err)
	}
	tgt, err := s.resolve(ctx, tt.Namespace, &tt.Spec.Target)
	if err != nil {
		return src, tgt, fmt.Errorf("target: %w", err)
	}
	s.resolved, s.src, s.tgt = true, src, tgt
	return src, tgt, nil
}

// resolve turns an endpoint into NameServer addresses, a brokerClusterName
// and an admin client. A RocketMQCluster's NameServers are those its status
// lists (the status controller keeps them), else its ready NameServer pods.
func (s *session) resolve(ctx context.Context, ns string, e *v1alpha1.TransferEndpoint) (topictransfer.Endpoint, error) {
	ep := topictransfer.Endpoint{ClusterName: e.EndpointClusterName(), NameServers: s.r.podAddrs(ctx, e.NameServers)}
	if e.ClusterRef == nil {
		ep.Admin = s.adminFor(nil)
		ep.BrokerAddr = s.r.podAddrMapper(ctx)
		return ep, nil
	}
	var c v1alpha1.RocketMQCluster
	if err := s.r.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: e.ClusterRef.Name}, &c); err != nil {
		return ep, fmt.Errorf("while reading RocketMQCluster %s: %w", e.ClusterRef.Name, err)
	}
	addrs := c.Status.NameServerAddresses
	if len(addrs) == 0 {
		var err error
		if addrs, err = s.r.readyNameServers(ctx, &c); err != nil {
			return ep, err
		}
	}
	if len(addrs) == 0 {
		return ep, fmt.Errorf("RocketMQCluster %s has no ready NameServer", c.Name)
	}
	creds, err := s.r.credentials(ctx, &c)
	if err != nil {
		return ep, err
	}
	ep.NameServers, ep.Admin = s.r.podAddrs(ctx, addrs), s.adminFor(creds)
	if ep.BrokerAddr, err = s.r.brokerPodAddrs(ctx, &c); err != nil {
		return ep, err
	}
	return ep, nil
}

// brokerPodAddrs maps the broker addresses a managed cluster's
// NameServers hand out (pod DNS names, as rendered) to the pods' IPs, so
// that the controller dials what it knows from the API server and needs
// no cluster DNS; an address that names none of the cluster's pods is
// dialled as given. Listed uncached, like readyNameServers, once per
// reconcile.
func (r *Reconciler) brokerPodAddrs(ctx context.Context, c *v1alpha1.RocketMQCluster) (func(string) string, error) {
	var pods corev1.PodList
	sel := client.MatchingLabels(c.SelectorLabels(v1alpha1.ComponentBroker, -1))
	if err := r.apiReader.List(ctx, &pods, client.InNamespace(c.Namespace), sel); err != nil {
		return nil, fmt.Errorf("while listing the broker pods of %s: %w", c.Name, err)
	}
	other := r.podAddrMapper(ctx)
	return func(addr string) string {
		p := brokeraddr.Pod(addr, pods.Items, nil)
		_, port, err := net.SplitHostPort(addr)
		if p == nil || p.Status.PodIP == "" || err != nil {
			return other(addr)
		}
		return net.JoinHostPort(p.Status.PodIP, port)
	}, nil
}

// podAddrs maps each address of a list with podAddrMapper.
func (r *Reconciler) podAddrs(ctx context.Context, addrs []string) []string {
	if len(addrs) == 0 {
		return addrs
	}
	m := r.podAddrMapper(ctx)
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = m(a)
	}
	return out
}

// podAddrMapper maps an address that names a pod by its DNS name
// (<pod>.<svc>.<ns>.svc[.<domain>]:<port>, as rendered NameServers and
// brokers are known) to that pod's IP, read from the API server, in any
// namespace: the controller then needs no cluster DNS, and nothing it
// dials depends on the resolver of the node it runs on. Anything else,
// and a name whose pod is missing, is dialled as given. Lookups are
// remembered for the mapper's life (one reconcile).
func (r *Reconciler) podAddrMapper(ctx context.Context) func(string) string {
	seen := map[string]string{}
	return func(addr string) string {
		if v, ok := seen[addr]; ok {
			return v
		}
		v := addr
		if ns, name, ok := brokeraddr.PodKey(addr); ok {
			var p corev1.Pod
			err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &p)
			_, port, perr := net.SplitHostPort(addr)
			if err == nil && perr == nil && p.Status.PodIP != "" && brokeraddr.Pod(addr, []corev1.Pod{p}, nil) != nil {
				v = net.JoinHostPort(p.Status.PodIP, port)
			}
		}
		seen[addr] = v
		return v
	}
}

// readyNameServers lists the cluster's ready NameServer pods, by name, as
// podIP:9876. The list is uncached so that the manager does not need a
// Pod informer of its own.
func (r *Reconciler) readyNameServers(ctx context.Context, c *v1alpha1.RocketMQCluster) ([]string, error) {
	var pods corev1.PodList
	sel := client.MatchingLabels(c.SelectorLabels(v1alpha1.ComponentNameServer, -1))
	if err := r.apiReader.List(ctx, &pods, client.InNamespace(c.Namespace), sel); err != nil {
		return nil, fmt.Errorf("while listing the NameServer pods of %s: %w", c.Name, err)
	}
	slices.SortFunc(pods.Items, func(a, b corev1.Pod) int { return cmpString(a.Name, b.Name) })
	var out []string
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.Status.PodIP != "" && podReady(p) && p.DeletionTimestamp.IsZero() {
			out = append(out, net.JoinHostPort(p.Status.PodIP, strconv.Itoa(v1alpha1.PortNameServer)))
		}
	}
	return out, nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// credentials reads the ACL admin user of a cluster with ACL on, from the
// Secret its spec names. The read is uncached: caching Secrets would need
// list and watch on all of them.
func (r *Reconciler) credentials(ctx context.Context, c *v1alpha1.RocketMQCluster) (*admin.Credentials, error) {
	ref := c.Spec.ACL.AdminSecretRef
	if !c.Spec.ACL.Enabled || ref == nil {
		return nil, nil
	}
	var sec corev1.Secret
	if err := r.apiReader.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: ref.Name}, &sec); err != nil {
		return nil, fmt.Errorf("while reading the ACL Secret of %s: %w", c.Name, err)
	}
	userKey, passKey := orDefault(ref.UsernameKey, v1alpha1.DefaultUsernameKey), orDefault(ref.PasswordKey, v1alpha1.DefaultPasswordKey)
	user, pass := sec.Data[userKey], sec.Data[passKey]
	if len(user) == 0 || len(pass) == 0 {
		// Name the keys, never the values.
		return nil, fmt.Errorf("the ACL Secret of %s lacks a non-empty %q or %q key", c.Name, userKey, passKey)
	}
	return &admin.Credentials{AccessKey: string(user), SecretKey: string(pass)}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// conflict returns the name of another unfinished transfer of the same
// topic on a shared cluster that goes first, or "". A cluster named by
// clusterRef in one transfer and by its NameServers in the other is one
// cluster (identities).
func (r *Reconciler) conflict(ctx context.Context, tt *v1alpha1.TopicTransfer) (string, error) {
	var list v1alpha1.TopicTransferList
	if err := r.client.List(ctx, &list); err != nil {
		return "", fmt.Errorf("while listing TopicTransfers for conflicts: %w", err)
	}
	ids := r.identities(ctx)
	for i := range list.Items {
		o := &list.Items[i]
		if o.UID == tt.UID || o.Status.Phase.Final() || !o.DeletionTimestamp.IsZero() {
			continue
		}
		if topictransfer.ConflictsWith(tt, o, ids) && topictransfer.TakesPrecedence(o, tt) {
			return o.Namespace + "/" + o.Name, nil
		}
	}
	return "", nil
}

// identities names both clusters of a transfer by their spec and by
// brokerClusterName at each NameServer address, a managed cluster's
// addresses read as resolve reads them, every address mapped to a pod IP
// where it names a pod, so that both ways of naming one cluster meet.
func (r *Reconciler) identities(ctx context.Context) func(*v1alpha1.TopicTransfer) []string {
	m := r.podAddrMapper(ctx)
	return func(tt *v1alpha1.TopicTransfer) []string {
		out := topictransfer.StaticIdentities(tt)
		for _, e := range []*v1alpha1.TransferEndpoint{&tt.Spec.Source, &tt.Spec.Target} {
			name, addrs := e.EndpointClusterName(), e.NameServers
			if e.ClusterRef != nil {
				name, addrs = r.managedNameServers(ctx, tt.Namespace, e.ClusterRef.Name)
			}
			for _, a := range addrs {
				out = append(out, topictransfer.ClusterIdentities(name, []string{m(a)})...)
			}
		}
		return out
	}
}

// managedNameServers returns a RocketMQCluster's brokerClusterName and
// NameServer addresses (none when it cannot be read yet).
func (r *Reconciler) managedNameServers(ctx context.Context, ns, name string) (string, []string) {
	var c v1alpha1.RocketMQCluster
	if err := r.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &c); err != nil {
		return name, nil
	}
	if len(c.Status.NameServerAddresses) > 0 {
		return c.Name, c.Status.NameServerAddresses
	}
	addrs, err := r.readyNameServers(ctx, &c)
	if err != nil {
		return c.Name, nil
	}
	return c.Name, addrs
}
