package fn

import (
	"fmt"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// metadataObject is a RocketMQTopic or a RocketMQConsumerGroup of the
// input, decoded. The function never changes them beyond a sync wave: it
// validates them, offline, so that a pull request fails before the API
// server or the status controller refuses them.
type metadataObject struct {
	node *yaml.RNode
	ref  yaml.ResourceIdentifier
	// what is "topic" or "consumer group", for messages.
	what string
	// name is the RocketMQ name (topicName or groupName, else
	// metadata.name).
	name string
	// cluster is the namespace/name of the referenced cluster.
	cluster string
	// brokerGroups is spec.brokerGroups.
	brokerGroups []string
	// settings are the effective values two declarations of one topic
	// must not disagree on (queues, message type), for messages.
	settings map[string]string
}

// isMetadataKind says whether kind is one of the two metadata kinds.
func isMetadataKind(kind string) bool {
	return kind == v1alpha1.KindRocketMQTopic || kind == v1alpha1.KindRocketMQConsumerGroup
}

// findMetadata decodes every RocketMQTopic and RocketMQConsumerGroup among
// the items strictly and validates each. Objects that do not decode or
// validate are reported and left out of the returned list.
func findMetadata(items []*yaml.RNode) ([]metadataObject, krm.Results) {
	var out []metadataObject
	var results krm.Results
	for _, item := range items {
		if !isObject(item) || !isMetadataKind(item.GetKind()) || isLocalConfig(item) {
			continue
		}
		m, ok, rs := decodeMetadata(item)
		results = append(results, rs...)
		if ok {
			out = append(out, m)
		}
	}
	return out, results
}

// decodeMetadata decodes and validates one object; ok is false when it is
// not of this API group (passed through untouched) or has errors.
func decodeMetadata(item *yaml.RNode) (metadataObject, bool, krm.Results) {
	meta, err := item.GetMeta()
	if err != nil {
		return metadataObject{}, false, nil
	}
	ref := yaml.ResourceIdentifier{TypeMeta: meta.TypeMeta, NameMeta: meta.NameMeta}
	group, _, _ := strings.Cut(meta.APIVersion, "/")
	if group != v1alpha1.Group {
		return metadataObject{}, false, nil
	}
	if meta.APIVersion != v1alpha1.GroupVersion.String() {
		return metadataObject{}, false, krm.Results{errorResult(&ref, "apiVersion",
			fmt.Sprintf("apiVersion %q is not supported; this function validates %s", meta.APIVersion, v1alpha1.GroupVersion))}
	}
	text, err := item.String()
	if err != nil {
		return metadataObject{}, false, krm.Results{errorResult(&ref, "", fmt.Sprintf("cannot serialise the %s: %v", ref.Kind, err))}
	}
	m := metadataObject{node: item, ref: ref}
	if ref.Kind == v1alpha1.KindRocketMQTopic {
		return m.fromTopic([]byte(text))
	}
	return m.fromGroup([]byte(text))
}

func (m metadataObject) fromTopic(text []byte) (metadataObject, bool, krm.Results) {
	t, err := v1alpha1.DecodeTopic(text)
	if err != nil {
		return m, false, errResults(m.ref, err)
	}
	if errs := t.Validate(); len(errs) > 0 {
		return m, false, fieldErrorResults(krm.Error, m.ref, errs)
	}
	m.what, m.name, m.brokerGroups = "topic", t.RocketMQName(), t.Spec.BrokerGroups
	read, write := t.Spec.QueueCounts()
	m.settings = map[string]string{
		"readQueues":  strconv.Itoa(int(read)),
		"writeQueues": strconv.Itoa(int(write)),
		"messageType": string(t.Spec.MessageTypeOrDefault()),
	}
	m.cluster = t.Spec.ClusterRef.ClusterKey(t.Namespace)
	return m, true, nil
}

func (m metadataObject) fromGroup(text []byte) (metadataObject, bool, krm.Results) {
	g, err := v1alpha1.DecodeConsumerGroup(text)
	if err != nil {
		return m, false, errResults(m.ref, err)
	}
	if errs := g.Validate(); len(errs) > 0 {
		return m, false, fieldErrorResults(krm.Error, m.ref, errs)
	}
	m.what, m.name, m.brokerGroups = "consumer group", g.RocketMQName(), g.Spec.BrokerGroups
	m.cluster = g.Spec.ClusterRef.ClusterKey(g.Namespace)
	return m, true, nil
}

// namePath is the field that holds the RocketMQ name.
func (m metadataObject) namePath() string {
	field := "topicName"
	if m.ref.Kind == v1alpha1.KindRocketMQConsumerGroup {
		field = "groupName"
	}
	if v, err := m.node.Pipe(yaml.Lookup("spec", field)); err == nil && v != nil {
		return "spec." + field
	}
	return "metadata.name"
}

// describeDeclared names an object and, when the input says, the file it
// comes from: "RocketMQTopic team-orders/orders (topics/orders.yaml)".
func (m metadataObject) describeDeclared() string {
	s := m.ref.Kind + " " + describe(m.ref)
	if f := declaredIn(m.node); f != "" {
		s += " (" + f + ")"
	}
	return s
}

// Annotations that name the file an object was read from: kpt and kyaml
// set the path ones; kustomize sets origin (a YAML text with path:) with
// `buildMetadata: [originAnnotations]` in the kustomization.
const (
	pathAnnotation       = "internal.config.kubernetes.io/path"
	legacyPathAnnotation = "config.kubernetes.io/path"
	originAnnotation     = "config.kubernetes.io/origin"
)

// declaredIn is the file the object was read from, or "" when the input
// does not say.
func declaredIn(node *yaml.RNode) string {
	a := node.GetAnnotations()
	for _, k := range []string{pathAnnotation, legacyPathAnnotation} {
		if a[k] != "" {
			return a[k]
		}
	}
	for _, line := range strings.Split(a[originAnnotation], "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "path:"); ok {
			return strings.Trim(strings.TrimSpace(p), `'"`)
		}
	}
	return ""
}
