package fn

import (
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// checkMetadata checks the topics and groups against each other and
// against the clusters of the same render: what the status controller
// would refuse anyway (a second object for the same topic, a broker group
// the cluster does not have, a namespace the cluster does not take topics
// from) fails the pull request instead. A cluster the render does not hold
// is only a warning: a team's topics often live in another repository
// than the cluster. Queue shrinks and message type changes need the
// previous state, which a render does not hold: render-diff, which sees
// the base revision, reports them.
func checkMetadata(objs []metadataObject, clusters []cluster, items []*yaml.RNode) krm.Results {
	sort.Slice(objs, func(i, j int) bool { return refKey(&objs[i].ref) < refKey(&objs[j].ref) })
	results := duplicateResults(objs)
	byKey := decodedClusters(clusters)
	nsLabels := namespaceLabels(items)
	missing := map[string][]metadataObject{}
	for _, m := range objs {
		c, inRender := byKey[m.cluster]
		switch {
		case !inRender:
			missing[m.cluster] = append(missing[m.cluster], m)
		case c != nil:
			results = append(results, brokerGroupResults(m, c)...)
			results = append(results, namespaceResults(m, c, nsLabels)...)
		}
	}
	return append(results, missingClusterResults(missing)...)
}

// duplicateResults finds objects that declare the same topic (or group) on
// the same cluster: the controller would apply one and mark the others
// Duplicate, and which one wins would depend on creation order. Every
// object after the first (in namespace/name order) is an error naming the
// first.
func duplicateResults(objs []metadataObject) krm.Results {
	type key struct{ kind, cluster, name string }
	first := map[key]metadataObject{}
	var results krm.Results
	for _, m := range objs {
		k := key{m.ref.Kind, m.cluster, m.name}
		prev, dup := first[k]
		if !dup {
			first[k] = m
			continue
		}
		results = append(results, errorResult(&m.ref, m.namePath(), fmt.Sprintf(
			"Duplicate value: %s %q on cluster %s is also declared by %s%s; declare each %s once",
			m.what, m.name, m.cluster, prev.describeDeclared(), disagreement(prev, m), m.what)))
	}
	return results
}

// disagreement words the settings two declarations of one topic disagree
// on, of which the controller could apply only one: ", and they disagree
// on messageType (FIFO there, NORMAL here)".
func disagreement(first, dup metadataObject) string {
	keys := []string{"messageType", "readQueues", "writeQueues"}
	if first.settings["readQueues"] == first.settings["writeQueues"] && dup.settings["readQueues"] == dup.settings["writeQueues"] {
		keys = []string{"messageType", "queues"}
	}
	var diffs []string
	for _, k := range keys {
		key := k
		if k == "queues" {
			key = "readQueues"
		}
		if a, b := first.settings[key], dup.settings[key]; a != b {
			diffs = append(diffs, fmt.Sprintf("%s (%s there, %s here)", k, a, b))
		}
	}
	if len(diffs) == 0 {
		return ""
	}
	return ", and they disagree on " + strings.Join(diffs, " and ")
}

// decodedClusters maps each cluster of the render, by namespace/name, to
// its defaulted spec; nil when it does not decode (renderCluster reports
// why), which still counts as present.
func decodedClusters(clusters []cluster) map[string]*v1alpha1.RocketMQCluster {
	out := make(map[string]*v1alpha1.RocketMQCluster, len(clusters))
	for _, c := range clusters {
		key := c.ref.Namespace + "/" + c.ref.Name
		out[key] = nil
		text, err := c.node.String()
		if err != nil {
			continue
		}
		obj, err := v1alpha1.DecodeCluster([]byte(text))
		if err != nil {
			continue
		}
		obj.Default()
		out[key] = obj
	}
	return out
}

// brokerGroupResults refuses broker groups the cluster does not render.
func brokerGroupResults(m metadataObject, c *v1alpha1.RocketMQCluster) krm.Results {
	have := map[string]bool{}
	var names []string
	for g := range ptr.Deref(c.Spec.Broker.Groups, 0) {
		name := c.BrokerGroupName(g)
		have[name] = true
		names = append(names, name)
	}
	var results krm.Results
	for i, g := range m.brokerGroups {
		if !have[g] {
			results = append(results, errorResult(&m.ref, fmt.Sprintf("spec.brokerGroups[%d]", i), fmt.Sprintf(
				"Not found: cluster %s has no broker group %q (it has %s); name one of them or leave brokerGroups out for all",
				m.cluster, g, strings.Join(names, ", "))))
		}
	}
	return results
}

// namespaceResults refuses an object from a namespace the cluster's
// topicNamespaceSelector does not allow, when the render says enough to
// decide: the cluster's own namespace is always allowed; another one needs
// a selector, and its labels are known only when the render holds the
// Namespace.
func namespaceResults(m metadataObject, c *v1alpha1.RocketMQCluster, nsLabels map[string]map[string]string) krm.Results {
	ns := m.ref.Namespace
	if ns == c.Namespace {
		return nil
	}
	sel := c.Spec.TopicNamespaceSelector
	if sel == nil {
		return krm.Results{errorResult(&m.ref, "metadata.namespace", fmt.Sprintf(
			"Forbidden: cluster %s takes topics and consumer groups from its own namespace only; "+
				"set its spec.topicNamespaceSelector to select namespace %q (e.g. by a label of the Namespace)", m.cluster, ns))}
	}
	lbls, known := nsLabels[ns]
	if !known {
		return nil
	}
	selector, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || selector.Matches(labels.Set(lbls)) {
		// An invalid selector is the cluster's error, reported by its
		// validation.
		return nil
	}
	return krm.Results{errorResult(&m.ref, "metadata.namespace", fmt.Sprintf(
		"Forbidden: cluster %s does not take topics and consumer groups from namespace %q: its spec.topicNamespaceSelector (%s) "+
			"does not match the Namespace's labels in this render; label the Namespace to match", m.cluster, ns, selector))}
}

// namespaceLabels maps the Namespaces of the render to their labels.
func namespaceLabels(items []*yaml.RNode) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, item := range items {
		if isObject(item) && item.GetKind() == "Namespace" && item.GetApiVersion() == "v1" && !isLocalConfig(item) {
			out[item.GetName()] = item.GetLabels()
		}
	}
	return out
}

// maxNamed is how many objects a missing-cluster warning names.
const maxNamed = 3

// missingClusterResults warns once per cluster that objects reference but
// the render does not hold, on the first of them: a team repository with a
// thousand topics gets one line, not a thousand.
func missingClusterResults(missing map[string][]metadataObject) krm.Results {
	keys := make([]string, 0, len(missing))
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var results krm.Results
	for _, k := range keys {
		objs := missing[k]
		var named []string
		for _, m := range objs[:min(len(objs), maxNamed)] {
			named = append(named, m.ref.Kind+" "+describe(m.ref))
		}
		who := strings.Join(named, ", ")
		if len(objs) > maxNamed {
			who += fmt.Sprintf(" and %d more", len(objs)-maxNamed)
		}
		results = append(results, newResult(krm.Warning, &objs[0].ref, "spec.clusterRef", fmt.Sprintf(
			"RocketMQCluster %s is not in this render (referenced by %s): its broker groups and topicNamespaceSelector are not checked; "+
				"the status controller reports ClusterNotFound until it exists", k, who)))
	}
	return results
}
