// Package migrate converts the custom resources of the Apache RocketMQ
// Operator (rocketmq.apache.org/v1alpha1) into a RocketMQCluster, and
// writes the TopicTransfers that move a running cluster's topics onto the
// new one. Whatever cannot be carried over is listed in a Report, field by
// field, with the reason; ambiguous input is refused.
package migrate

import (
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Options tune the conversion.
type Options struct {
	// Name of the new RocketMQCluster; default: the Broker's name, which
	// was the old brokerClusterName.
	Name string
}

// SourceCluster is the old cluster as TopicTransfers see it.
type SourceCluster struct {
	// ClusterName is the old brokerClusterName: the Broker's name.
	ClusterName string
	// NameServers are the old NameServer addresses, host:port, from the
	// Broker's spec.nameServers or the NameService's status.
	NameServers []string
}

// Result is a converted cluster, the report, and the old cluster.
type Result struct {
	Cluster *v1alpha1.RocketMQCluster
	Report  Report
	Source  SourceCluster
}

// converter carries the output and the report through the per-kind steps.
type converter struct {
	in      *Inputs
	cluster *v1alpha1.RocketMQCluster
	report  *Report
	// version is the RocketMQ version chosen from the Broker's image.
	version string
	// usedConfigMaps are the ConfigMaps read for broker-common.conf or
	// BROKER_MEM, and so not reported as left over.
	usedConfigMaps map[string]bool
}

// Convert turns the operator's resources into one RocketMQCluster.
func Convert(in *Inputs, opts Options) (*Result, error) {
	res, err := convert(in, opts)
	if err != nil {
		return nil, err
	}
	if err := check(res.Cluster, in); err != nil {
		return nil, err
	}
	ref := resourceRef{Kind: v1alpha1.KindRocketMQCluster, Namespace: res.Cluster.Namespace, Name: res.Cluster.Name}
	for _, w := range res.Cluster.Warnings() {
		res.Report.add(Warning, ref, w.Field, "%s", w.Message)
	}
	return res, nil
}

func convert(in *Inputs, opts Options) (*Result, error) {
	parts, err := pick(in)
	if err != nil {
		return nil, err
	}
	res := &Result{Cluster: newCluster(parts.broker, opts)}
	cv := &converter{in: in, cluster: res.Cluster, report: &res.Report, usedConfigMaps: map[string]bool{}}
	if res.Source, err = oldNameServers(parts); err != nil {
		return nil, err
	}
	res.Source.ClusterName = parts.broker.ref.Name
	steps := []func() error{
		func() error { return cv.broker(parts.broker) },
		func() error { return cv.nameService(parts.nameService) },
		func() error { return cv.controller(parts.controller, parts.broker) },
		func() error { return cv.console(parts.console) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	cv.leftovers()
	return res, nil
}

// parts are the single resources of each kind that make up one cluster.
type parts struct {
	broker      *item[broker]
	nameService *item[nameService]
	controller  *item[controller]
	console     *item[console]
}

func pick(in *Inputs) (*parts, error) {
	const oneCluster = "convert one cluster at a time: give only the resources of the cluster to move"
	var p parts
	var err error
	if p.broker, err = only(in.brokers, kindBroker, "each Broker was its own cluster (brokerClusterName); "+oneCluster); err != nil {
		return nil, err
	}
	if p.broker == nil {
		return nil, fmt.Errorf("no Broker (rocketmq.apache.org/v1alpha1) among the inputs: add it, e.g. kubectl get brokers.rocketmq.apache.org NAME -o yaml")
	}
	if p.nameService, err = only(in.nameServices, kindNameService, "the operator pairs every Broker with one NameService; "+oneCluster); err != nil {
		return nil, err
	}
	if p.controller, err = only(in.controllers, kindController, oneCluster); err != nil {
		return nil, err
	}
	if p.console, err = only(in.consoles, kindConsole, "the new cluster has one dashboard; "+oneCluster); err != nil {
		return nil, err
	}
	for _, r := range []*resourceRef{refOf(p.nameService), refOf(p.controller), refOf(p.console)} {
		if r != nil && r.Namespace != p.broker.ref.Namespace {
			return nil, fmt.Errorf("%s: metadata.namespace: %q differs from the Broker's (%s, namespace %q): "+
				"the new cluster lives in one namespace; %s", r, r.Namespace, p.broker.ref, p.broker.ref.Namespace, oneCluster)
		}
	}
	return &p, nil
}

func refOf[T any](it *item[T]) *resourceRef {
	if it == nil {
		return nil
	}
	return &it.ref
}

func newCluster(b *item[broker], opts Options) *v1alpha1.RocketMQCluster {
	name := opts.Name
	if name == "" {
		name = b.ref.Name
	}
	return &v1alpha1.RocketMQCluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: v1alpha1.KindRocketMQCluster},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: b.ref.Namespace},
	}
}

// leftovers reports the operator TopicTransfers and the other objects that
// came with the input and were not read.
func (cv *converter) leftovers() {
	others := append([]resourceRef(nil), cv.in.others...)
	sort.Slice(others, func(i, j int) bool { return others[i].String() < others[j].String() })
	for _, r := range others {
		if r.Kind == kindTopicTransfer {
			cv.report.dropped(r, "", "the operator's TopicTransfer is not converted (its topic moves by mqadmin inside the operator, "+
				"with no status): write our TopicTransfers with krm-fn migrate --transfers")
			continue
		}
		cv.report.dropped(r, "", "not converted: only the operator's resources and the ConfigMaps they read are; "+
			"the new cluster renders its own Services, ConfigMaps and workloads")
	}
	for _, key := range sortedKeys(cv.in.configMaps) {
		if !cv.usedConfigMaps[key] {
			ns, name, _ := strings.Cut(key, "/")
			cv.report.dropped(resourceRef{Kind: "ConfigMap", Namespace: ns, Name: name}, "",
				"not read by the Broker (broker-common.conf, BROKER_MEM): not converted")
		}
	}
}
