package cluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

// Event reasons of NameServer address propagation.
const (
	ReasonNameServersChanged = "NameServerAddressesChanged"
	ReasonBrokerUpdated      = "BrokerNameServersUpdated"
	ReasonBrokerUpdateFailed = "BrokerNameServersUpdateFailed"
	ReasonConfigMapWritten   = "NameServerConfigMapWritten"
)

// ConfigMapKey is the key of the owned ConfigMap holding the namesrvAddr
// value (entries joined by ';', as clients and mqadmin -n take it).
const ConfigMapKey = "namesrvAddr"

// syncNameServers records the ready NameServers' list in status and in the
// owned ConfigMap and, for host-network NameServers, pushes it to every
// ready broker whose namesrvAddr differs. A list with NameServer pods missing is held back: during
// a rolling restart of the NameServers brokers keep the full list.
func (r *Reconciler) syncNameServers(ctx context.Context, c, want *v1alpha1.RocketMQCluster, o *observed, cl AdminClient, st *v1alpha1.RocketMQClusterStatus, h *health) error {
	desired := nsaddr.Desired(want, o.pods[v1alpha1.ComponentNameServer], ptrValue(want.Spec.NameServer.Replicas, 2))
	if !desired.Complete {
		h.progress(ReasonNameServerUpdating, fmt.Sprintf("waiting for every NameServer to be ready (%d of %d) before updating brokers",
			len(desired.List), ptrValue(want.Spec.NameServer.Replicas, 2)))
		return nil
	}
	if !want.Spec.NameServer.HostNetwork && !o.services[want.NameServerName()] {
		h.progress(ReasonNameServerUpdating, fmt.Sprintf("waiting for headless Service %s, which the NameServer DNS names need", want.NameServerName()))
		return nil
	}
	if want.Spec.NameServer.HostNetwork {
		if err := r.pushNameServers(ctx, c, o, cl, desired, h); err != nil {
			return err
		}
	}
	if !nsaddr.Equal(st.NameServerAddresses, desired.List) {
		r.event(c, corev1.EventTypeNormal, ReasonNameServersChanged, "Propagate",
			fmt.Sprintf("NameServer addresses are now %s", desired))
		st.NameServerAddresses = desired.List
	}
	return r.ensureConfigMap(ctx, c, desired.List)
}

// pushNameServers sends the list to every ready broker whose namesrvAddr
// differs. Only NameServers on the host network need it: their node IPs
// are in no DNS record. Otherwise brokers resolve the headless Service
// themselves (fetchNameSrvAddrByDnsLookup, re-resolved every
// updateNameServerAddrPeriod as rendered), which keeps working while this
// controller is down; a pushed list would switch that lookup off for good.
func (r *Reconciler) pushNameServers(ctx context.Context, c *v1alpha1.RocketMQCluster, o *observed, cl AdminClient, desired nsaddr.Addresses, h *health) error {
	pods := o.readyBrokers()
	addrs := make([]string, len(pods))
	for i, p := range pods {
		addrs[i] = brokerAddr(p)
	}
	results, err := nsaddr.Propagate(ctx, cl, addrs, desired.List)
	for i, res := range results {
		// The pod is the Event's related object: Events about different
		// brokers must not fold into one series.
		switch {
		case res.Err != nil:
			r.events.Eventf(c, pods[i], corev1.EventTypeWarning, ReasonBrokerUpdateFailed, "UpdateBrokerConfig",
				"broker pod %s: %v", pods[i].Name, res.Err)
		case res.Updated:
			r.events.Eventf(c, pods[i], corev1.EventTypeNormal, ReasonBrokerUpdated, "UpdateBrokerConfig",
				"set namesrvAddr of broker pod %s to %s (was %q)", pods[i].Name, desired, nsaddr.Join(res.Before))
		}
	}
	if err != nil {
		h.progress(ReasonNameServerUpdating, "some brokers still use another NameServer list: "+err.Error())
		return fmt.Errorf("while propagating NameServer addresses: %w", err)
	}
	return nil
}

// ensureConfigMap creates or updates the ConfigMap the controller owns;
// it writes only when the content differs from the cached copy.
func (r *Reconciler) ensureConfigMap(ctx context.Context, c *v1alpha1.RocketMQCluster, list []string) error {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: c.NameServerAddressesConfigMapName()}}
	op, err := controllerutil.CreateOrUpdate(ctx, r.client, cm, func() error {
		// Not LabelInstance: Argo CD's label tracking would take the
		// ConfigMap for part of the Application and offer to prune it.
		labels := c.SelectorLabels(v1alpha1.ComponentNameServer, -1)
		labels[v1alpha1.LabelManagedBy] = v1alpha1.ManagedBy
		labels[v1alpha1.LabelPartOf] = v1alpha1.AppName
		if cm.Labels == nil {
			cm.Labels = map[string]string{}
		}
		for k, v := range labels {
			cm.Labels[k] = v
		}
		cm.Data = map[string]string{ConfigMapKey: nsaddr.Join(list)}
		return controllerutil.SetControllerReference(c, cm, r.scheme)
	})
	if err != nil {
		return fmt.Errorf("while writing ConfigMap %s: %w", cm.Name, err)
	}
	if op != controllerutil.OperationResultNone {
		logf.FromContext(ctx).Info("NameServer address ConfigMap written", "configMap", cm.Name, "operation", op)
		r.event(c, corev1.EventTypeNormal, ReasonConfigMapWritten, "Write",
			fmt.Sprintf("ConfigMap %s %s with namesrvAddr=%s", cm.Name, op, nsaddr.Join(list)))
	}
	return nil
}
