package krm

import (
	"bytes"
	"fmt"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// stream writes the nodes as the documents after the first of a YAML
// stream: "---" before each.
func stream(buf *bytes.Buffer, nodes []*yaml.RNode) error {
	e := newEmitter(buf)
	for _, n := range nodes {
		buf.WriteString("---\n")
		if err := e.mapping(n.YNode(), 0, false); err != nil {
			return err
		}
	}
	return nil
}

// probe follows the document encodeWithProbe encodes; probeText is how it
// prints on its own.
const probeText = "---\np:\n  q: r\ns:\n- t\n"

// encodeWithProbe is yaml.v3's text for n as the first document of a
// stream, or nil when n leaves state behind that changes the next
// document: the probe does not print as on its own.
func encodeWithProbe(n *yaml.Node, style yaml.SequenceIndentStyle) ([]byte, error) {
	probe, err := yaml.Parse(probeText[len("---\n"):])
	if err != nil {
		return nil, fmt.Errorf("parsing the probe document: %w", err)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoderWithOptions(&b, &yaml.EncoderOptions{SeqIndent: style})
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	enc.CompactSeqIndent()
	if err := enc.Encode(probe.Document()); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding YAML: %w", err)
	}
	text, ok := bytes.CutSuffix(b.Bytes(), []byte(probeText))
	if !ok {
		return nil, nil
	}
	return text, nil
}

// wrapped writes the nodes as the items of a ResourceList (or List), as
// kio.ByteWriter builds it.
func (w Writer) wrapped(buf *bytes.Buffer, nodes []*yaml.RNode) error {
	items := &yaml.Node{Kind: yaml.SequenceNode}
	for _, n := range nodes {
		items.Content = append(items.Content, n.YNode())
	}
	list := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "apiVersion"}, {Kind: yaml.ScalarNode, Value: w.WrappingAPIVersion},
		{Kind: yaml.ScalarNode, Value: "kind"}, {Kind: yaml.ScalarNode, Value: w.WrappingKind},
		{Kind: yaml.ScalarNode, Value: "items"}, items,
	}}
	if w.FunctionConfig != nil {
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "functionConfig"}, w.FunctionConfig.YNode())
	}
	if w.Results != nil {
		list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "results"}, w.Results.YNode())
	}
	return newEmitter(buf).mapping(list, 0, false)
}
