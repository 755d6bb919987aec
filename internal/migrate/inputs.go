package migrate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// resourceRef names one input object in errors and in the report.
type resourceRef struct {
	Kind, Namespace, Name string
}

func (r resourceRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// item is one decoded operator resource: typed for reading, raw to find
// the fields the converter does not know.
type item[T any] struct {
	ref resourceRef
	obj T
	raw map[string]any
}

// Inputs are the objects given to the converter, sorted by kind.
type Inputs struct {
	nameServices []item[nameService]
	brokers      []item[broker]
	controllers  []item[controller]
	consoles     []item[console]
	others       []resourceRef // operator TopicTransfers and unrelated objects
	configMaps   map[string]*corev1.ConfigMap
}

// Parse reads a YAML stream (several documents, or a v1 List) of the
// operator's resources and anything next to them (ConfigMaps holding
// broker-common.conf, Services...). An operator kind that does not exist is
// refused: it would be silently lost.
func Parse(data []byte, in *Inputs) error {
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(data), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return fmt.Errorf("parsing YAML: %w", err)
	}
	for _, n := range nodes {
		if err := in.add(n); err != nil {
			return err
		}
	}
	return nil
}

func (in *Inputs) add(n *yaml.RNode) error {
	ref := resourceRef{Kind: n.GetKind(), Namespace: n.GetNamespace(), Name: n.GetName()}
	j, err := n.MarshalJSON()
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	group, _, _ := strings.Cut(n.GetApiVersion(), "/")
	if group != OperatorGroup {
		return in.addOther(ref, n.GetApiVersion(), j)
	}
	switch ref.Kind {
	case kindNameService:
		return decodeItem(j, ref, &in.nameServices)
	case kindBroker:
		return decodeItem(j, ref, &in.brokers)
	case kindController:
		return decodeItem(j, ref, &in.controllers)
	case kindConsole:
		return decodeItem(j, ref, &in.consoles)
	case kindTopicTransfer:
		in.others = append(in.others, ref)
		return nil
	}
	return fmt.Errorf("%s: kind %s of %s is not one of the operator's kinds (NameService, Broker, Controller, Console, TopicTransfer); "+
		"split it into those resources first", ref, ref.Kind, n.GetApiVersion())
}

func (in *Inputs) addOther(ref resourceRef, apiVersion string, j []byte) error {
	if apiVersion == "v1" && ref.Kind == "ConfigMap" {
		cm := &corev1.ConfigMap{}
		if err := json.Unmarshal(j, cm); err != nil {
			return fmt.Errorf("%s: %w", ref, err)
		}
		if in.configMaps == nil {
			in.configMaps = map[string]*corev1.ConfigMap{}
		}
		in.configMaps[ref.Namespace+"/"+ref.Name] = cm
		return nil
	}
	in.others = append(in.others, ref)
	return nil
}

func decodeItem[T any](j []byte, ref resourceRef, into *[]item[T]) error {
	it := item[T]{ref: ref}
	if err := json.Unmarshal(j, &it.obj); err != nil {
		return fmt.Errorf("%s: does not match the operator's %s schema: %w", ref, ref.Kind, err)
	}
	if err := json.Unmarshal(j, &it.raw); err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	*into = append(*into, it)
	return nil
}

// only returns the single item of a kind, nil if there is none, and
// refuses two: which one the new cluster should follow is the user's call.
func only[T any](items []item[T], kind, hint string) (*item[T], error) {
	switch len(items) {
	case 0:
		return nil, nil
	case 1:
		return &items[0], nil
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = it.ref.String()
	}
	sort.Strings(names)
	return nil, fmt.Errorf("%s: metadata.name: the input holds %d %ss (%s); %s",
		names[1], len(items), kind, strings.Join(names, ", "), hint)
}

// specKeys lists the keys set in the raw spec, sorted.
func specKeys(raw map[string]any) []string {
	spec, _ := raw["spec"].(map[string]any)
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
