package cluster

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/brokeraddr"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/clustercreds"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/metadatacopy"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

// AdminClient is every RocketMQ admin call the controller makes;
// *admin.Client implements it, tests can fail any call.
type AdminClient interface {
	nsaddr.BrokerConfigClient
	metadatacopy.Copier
	ClusterInfo(ctx context.Context, nameServer string) (*admin.ClusterInfo, error)
	WipeWritePerm(ctx context.Context, nameServer, brokerName string) (int, error)
	AddWritePerm(ctx context.Context, nameServer, brokerName string) (int, error)
	Groups(ctx context.Context, brokerAddr string) (map[string]admin.SubscriptionGroupConfig, error)
	ConsumeStats(ctx context.Context, brokerAddr, group, topic string) (*admin.ConsumeStats, error)
	Topics(ctx context.Context, brokerAddr string) (map[string]admin.TopicConfig, error)
	TopicStats(ctx context.Context, brokerAddr, topic string) (*admin.TopicStats, error)
	GetUser(ctx context.Context, brokerAddr, username string) (*admin.UserInfo, error)
	CreateUser(ctx context.Context, brokerAddr string, u admin.UserInfo) error
	UpdateUser(ctx context.Context, brokerAddr string, u admin.UserInfo) error
	BrokerBacklog(ctx context.Context, brokerAddr string) (admin.Backlog, error)
	Close() error
}

// AdminFactory makes an admin client signing with creds (nil: no ACL).
type AdminFactory func(creds *admin.Credentials) AdminClient

// DefaultAdmin makes *admin.Client.
func DefaultAdmin(creds *admin.Credentials) AdminClient {
	return admin.New(admin.Options{Credentials: creds})
}

// credentials reads the ACL admin user of the cluster (uncached).
func (r *Reconciler) credentials(ctx context.Context, want *v1alpha1.RocketMQCluster) (*admin.Credentials, error) {
	return clustercreds.Read(ctx, r.apiReader, want)
}

// secretCredentials reads a username and password from a Secret, and the
// Secret's resourceVersion.
func (r *Reconciler) secretCredentials(ctx context.Context, ns string, ref *v1alpha1.SecretCredentialsRef) (*admin.Credentials, string, error) {
	return clustercreds.FromSecret(ctx, r.apiReader, ns, ref)
}

// master is a group's master pod and its remoting address.
type master struct {
	name, addr string
	pod        *corev1.Pod
}

// masters finds each group's master pod. In MasterSlave mode it is ordinal
// 0 of the group when ready. In Controller mode the Controller quorum
// elects it, so the NameServer's cluster info says which address is broker
// id 0. Brokers register under brokerIP1, which is rendered as the pod's
// DNS name, so the address is mapped to a pod of the group by name (or by
// IP for a broker configured that way) and dialled at the pod IP.
func (r *Reconciler) masters(ctx context.Context, want *v1alpha1.RocketMQCluster, o *observed, cl AdminClient) (map[int32]master, error) {
	out := map[int32]master{}
	if want.Spec.Broker.Mode != v1alpha1.BrokerModeController {
		for g, pods := range o.brokers {
			name := want.BrokerGroupName(g) + "-0"
			for i := range pods {
				if pods[i].Name == name && podReady(&pods[i]) && pods[i].Status.PodIP != "" {
					out[g] = master{name: name, addr: brokerAddr(&pods[i]), pod: &pods[i]}
				}
			}
		}
		return out, nil
	}
	info, err := r.clusterInfo(ctx, o, cl)
	if err != nil {
		return out, err
	}
	services := o.serviceNames()
	for g, pods := range o.brokers {
		bd, ok := info.BrokerAddrTable[want.BrokerGroupName(g)]
		if !ok {
			continue
		}
		p := brokeraddr.Pod(bd.MasterAddr(), pods, services)
		if p != nil && podReady(p) && brokerAddr(p) != "" {
			out[g] = master{name: p.Name, addr: brokerAddr(p), pod: p}
		}
	}
	return out, nil
}

// clusterInfo asks the ready NameServer pods in turn, at their pod IPs.
func (r *Reconciler) clusterInfo(ctx context.Context, o *observed, cl AdminClient) (*admin.ClusterInfo, error) {
	lastErr := errors.New("no NameServer pod is ready")
	for i := range o.pods[v1alpha1.ComponentNameServer] {
		p := &o.pods[v1alpha1.ComponentNameServer][i]
		if !podReady(p) || p.Status.PodIP == "" {
			continue
		}
		info, err := cl.ClusterInfo(ctx, joinHostPort(p.Status.PodIP, v1alpha1.PortNameServer))
		if err == nil {
			return info, nil
		}
		lastErr = fmt.Errorf("while reading cluster info from %s: %w", p.Name, err)
	}
	return nil, lastErr
}
