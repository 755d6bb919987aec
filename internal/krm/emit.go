package krm

import (
	"bytes"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// This file prints the YAML that kyaml's encoder (yaml.v3, indent 2,
// compact sequences, unlimited width) prints for a subset of node trees:
// block mappings and sequences without tags, anchors or comments, keys
// that are plain words, and scalars. Scalars that are plain words or
// numbers are written here; any other scalar (quoted, multi-line) is
// encoded by yaml.v3 on its own, in the same position, and spliced in.
// supported says whether a tree is in the subset; Writer falls back to
// kio.ByteWriter when one is not.

// supported says whether emit prints n as kyaml's encoder does.
func supported(n *yaml.Node) bool {
	if n.Anchor != "" || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" {
		return false
	}
	if n.Kind != yaml.ScalarNode && n.Style&yaml.FlowStyle != 0 {
		// Spliced in from yaml.v3, like a quoted scalar.
		return flowSupported(n)
	}
	switch n.Kind {
	case yaml.MappingNode:
		if n.Style != 0 || (n.Tag != "" && n.Tag != yaml.NodeTagMap) || len(n.Content)%2 != 0 {
			return false
		}
		for i := 0; i < len(n.Content); i += 2 {
			if !plainKey(n.Content[i]) || !supported(n.Content[i+1]) {
				return false
			}
		}
		return true
	case yaml.SequenceNode:
		if n.Style != 0 || (n.Tag != "" && n.Tag != yaml.NodeTagSeq) {
			return false
		}
		for _, c := range n.Content {
			if (c.Kind == yaml.SequenceNode && c.Style&yaml.FlowStyle == 0) || !supported(c) {
				return false
			}
		}
		return true
	case yaml.ScalarNode:
		return oneLineOrBlock(n)
	default:
		return false
	}
}

// flowSupported says whether flow collection n, encoded on its own, is
// what the encoder prints for it in place: it holds no comments, anchors,
// aliases or line-keeping block scalars.
func flowSupported(n *yaml.Node) bool {
	if n.Anchor != "" || n.HeadComment != "" || n.LineComment != "" || n.FootComment != "" ||
		n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode || (n.Kind == yaml.ScalarNode && !oneLineOrBlock(n)) {
		return false
	}
	for _, c := range n.Content {
		if !flowSupported(c) {
			return false
		}
	}
	return true
}

// oneLineOrBlock says whether yaml.v3 prints scalar n on one line or as a
// block scalar, whose lines shift with the indentation: n has no line
// breaks, or only "\n" ones and no requested style (the encoder picks a
// literal block, or a double-quoted line), and does not keep its final
// breaks. A quoted scalar with raw line breaks ends lines at column 0.
func oneLineOrBlock(n *yaml.Node) bool {
	if !strings.ContainsAny(n.Value, "\r\n\u0085\u2028\u2029") {
		return true
	}
	return n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0 &&
		!strings.ContainsAny(n.Value, "\r\u0085\u2028\u2029") && !keepsBreaks(n.Value)
}

// plainKey says whether k is a key the encoder prints as it is.
func plainKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Anchor == "" && k.HeadComment == "" && k.LineComment == "" &&
		k.FootComment == "" && len(k.Value) < 128 && (k.Tag == "" || k.Tag == yaml.NodeTagString) && k.Style == 0 &&
		isWord(k.Value) && !reservedWords[k.Value] && !strings.Contains(k.Value, ":") && !isDigit(k.Value[0])
}

// emitter writes a supported tree.
type emitter struct {
	buf     *bytes.Buffer
	scalars *scalarEncoder
}

func newEmitter(buf *bytes.Buffer) emitter {
	return emitter{buf: buf, scalars: &scalarEncoder{}}
}

// mapping writes block mapping n at indentation indent. inline means the
// line is already started (after "- "): the first key goes there.
func (e emitter) mapping(n *yaml.Node, indent int, inline bool) error {
	if len(n.Content) == 0 {
		e.buf.WriteString("{}\n")
		return nil
	}
	for i := 0; i < len(n.Content); i += 2 {
		if i > 0 || !inline {
			e.indent(indent)
		}
		key, value := n.Content[i], n.Content[i+1]
		e.buf.WriteString(key.Value)
		e.buf.WriteByte(':')
		if err := e.value(value, indent); err != nil {
			return err
		}
	}
	return nil
}

// value writes what follows "key:" for a key at indent.
func (e emitter) value(v *yaml.Node, indent int) error {
	switch {
	case v.Kind == yaml.ScalarNode || v.Style&yaml.FlowStyle != 0:
		return e.scalarLine(v, indent, "k:")
	case len(v.Content) == 0 && v.Kind == yaml.MappingNode:
		e.buf.WriteString(" {}\n")
	case len(v.Content) == 0:
		e.buf.WriteString(" []\n")
	case v.Kind == yaml.MappingNode:
		e.buf.WriteByte('\n')
		return e.mapping(v, indent+2, false)
	default:
		// Compact sequences: the dashes line up with the key.
		e.buf.WriteByte('\n')
		return e.sequence(v, indent, false)
	}
	return nil
}

func (e emitter) sequence(n *yaml.Node, indent int, inline bool) error {
	if len(n.Content) == 0 {
		e.buf.WriteString("[]\n")
		return nil
	}
	for i, item := range n.Content {
		if i > 0 || !inline {
			e.indent(indent)
		}
		e.buf.WriteString("-")
		if item.Kind == yaml.MappingNode && len(item.Content) > 0 && item.Style&yaml.FlowStyle == 0 {
			e.buf.WriteByte(' ')
			if err := e.mapping(item, indent+2, true); err != nil {
				return err
			}
			continue
		}
		if item.Kind == yaml.MappingNode && item.Style&yaml.FlowStyle == 0 {
			e.buf.WriteString(" {}\n")
			continue
		}
		if err := e.scalarLine(item, indent, "-"); err != nil {
			return err
		}
	}
	return nil
}

// scalarLine writes scalar (or flow collection) n and its line break after
// lead, "k:" in a mapping or "-" in a sequence, already written. Anything
// but a plain word is encoded by yaml.v3 after lead at indentation 0, and
// its continuation lines (a block scalar's) shifted to indent.
func (e emitter) scalarLine(n *yaml.Node, indent int, lead string) error {
	if s := plainScalar(n); s != "" {
		e.buf.WriteByte(' ')
		e.buf.WriteString(s)
		e.buf.WriteByte('\n')
		return nil
	}
	text, err := e.scalars.encodeAfter(n, lead)
	if err != nil {
		return err
	}
	for i, line := range strings.SplitAfter(text, "\n") {
		if i > 0 && len(line) > 1 {
			e.indent(indent)
		}
		e.buf.WriteString(line)
	}
	return nil
}

// scalarEncoder encodes scalars and flow collections with yaml.v3, one
// document each on a shared encoder: a new yaml.v3 encoder allocates
// several kilobytes of buffers, which cost more than encoding a scalar.
// The encoder is replaced every maxDocs documents, because it keeps every
// event it has emitted (see Writer).
type scalarEncoder struct {
	buf  bytes.Buffer
	enc  *yaml.Encoder
	docs int
}

const maxDocs = 64

// encodeAfter is yaml.v3's text for scalar or flow collection n as the
// value of a one-key mapping ("k:") or the item of a one-item sequence
// ("-"), lead removed.
func (s *scalarEncoder) encodeAfter(n *yaml.Node, lead string) (string, error) {
	c := *n
	var parent *yaml.Node
	if lead == "k:" {
		parent = &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "k"}, &c}}
	} else {
		parent = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{&c}}
	}
	if s.enc == nil || s.docs == maxDocs {
		s.enc = yaml.NewEncoderWithOptions(&s.buf, &yaml.EncoderOptions{SeqIndent: yaml.CompactSequenceStyle})
		s.docs = 0
	}
	s.buf.Reset()
	// The emitter writes a document out when it ends it.
	if err := s.enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{parent}}); err != nil {
		return "", fmt.Errorf("encoding a scalar: %w", err)
	}
	out := s.buf.String()
	if s.docs > 0 {
		out = strings.TrimPrefix(out, "---\n")
	}
	s.docs++
	text, ok := strings.CutPrefix(out, lead)
	if !ok {
		return "", fmt.Errorf("internal error: a scalar encoded as %q does not start with %q", out, lead)
	}
	return text, nil
}

func (e emitter) indent(n int) {
	for range n {
		e.buf.WriteByte(' ')
	}
}

// plainScalar is the text of n when this code can tell, without yaml.v3's
// analysis, how the encoder prints it: a word (see isWord) is printed
// plain, and so are a decimal integer tagged !!int and a bool tagged
// !!bool; a string that reads as a number, bool or null is double-quoted.
// Otherwise "".
func plainScalar(n *yaml.Node) string {
	if n.Style != 0 {
		return ""
	}
	v := n.Value
	switch n.Tag {
	case "", yaml.NodeTagString:
		switch {
		case isWord(v) && !reservedWords[v]:
			return v
		case n.Tag == yaml.NodeTagString && (reservedWords[v] || isDecimal(v)):
			return `"` + v + `"`
		}
	case yaml.NodeTagInt:
		if isDecimal(v) {
			return v
		}
	case yaml.NodeTagBool:
		if v == "true" || v == "false" {
			return v
		}
	}
	return ""
}

// reservedWords are the words yaml.v3 resolves to a bool or null.
var reservedWords = map[string]bool{
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
	"null": true, "Null": true, "NULL": true,
}

// isWord says whether v is a string yaml.v3 resolves as a string and
// prints plain in block context: it starts with a letter or "/" and holds
// letters, digits and ._/- (and ":" not at the end), or it is a quantity
// such as 50Gi or 250m (digits, then a letter that cannot start an
// exponent or a 0x/0o/0b prefix, then letters and digits).
func isWord(v string) bool {
	if v == "" {
		return false
	}
	if isDigit(v[0]) {
		return isQuantity(v)
	}
	if !isLetter(v[0]) && v[0] != '/' {
		return false
	}
	for i := 1; i < len(v); i++ {
		c := v[i]
		switch {
		case isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '/' || c == '-':
		case c == ':' && i < len(v)-1:
		default:
			return false
		}
	}
	return true
}

func isQuantity(v string) bool {
	i := 0
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	if i == len(v) || !isLetter(v[i]) || strings.IndexByte("eEoOxXbB", v[i]) >= 0 {
		return false
	}
	for ; i < len(v); i++ {
		if !isLetter(v[i]) && !isDigit(v[i]) {
			return false
		}
	}
	return true
}

// isDecimal says whether v is a decimal integer yaml.v3 resolves as !!int:
// one that fits in 64 bits (a longer one reads as a float).
func isDecimal(v string) bool {
	d := strings.TrimPrefix(v, "-")
	if d == "" || len(d) > 18 || (d[0] == '0' && len(d) > 1) || (d == "0" && v != d) {
		return false
	}
	for i := range len(d) {
		if !isDigit(d[i]) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
