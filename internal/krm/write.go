package krm

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Writer writes objects as kyaml's kio.ByteWriter does, byte for byte, but
// prints block mappings, sequences and plain words itself (emit.go) and
// hands only other scalars to yaml.v3. yaml.v3's emitter keeps every event
// of a stream until the encoder is closed (go-yaml/yaml#1033): one encoder
// for a whole render grows a slice of ~270-byte events by 1.25x thousands
// of times, which made writing the example's 1 770 lines take 10-20 ms,
// more than everything else krm-fn does. The first document of a stream
// may be outside the emitter's subset (see firstDocument); otherwise
// output with comments, anchors or a lone object (maybe from a JSON file)
// is written by kio.ByteWriter.
//
// Unlike kio.ByteWriter, Write does not copy the nodes first: it clears
// empty annotations (and, unless KeepReaderAnnotations, the reader's index
// annotations) on the nodes it is given.
type Writer struct {
	Writer io.Writer

	// KeepReaderAnnotations keeps the annotations kio.ByteReader sets.
	KeepReaderAnnotations bool

	// WrappingKind, when set, wraps the objects in the items of an object
	// of this kind and WrappingAPIVersion (a ResourceList), with
	// FunctionConfig and Results when they are non-nil.
	WrappingKind       string
	WrappingAPIVersion string
	FunctionConfig     *yaml.RNode
	Results            *yaml.RNode
}

// Write writes nodes: a YAML stream, or a ResourceList.
func (w Writer) Write(nodes []*yaml.RNode) error {
	if !w.emittable(nodes) {
		return w.byteWriter().Write(nodes)
	}
	var buf bytes.Buffer
	rest := nodes
	if w.WrappingKind == "" {
		first, ok, err := w.firstDocument(nodes[0])
		if err != nil {
			return err
		}
		if !ok {
			return w.byteWriter().Write(nodes)
		}
		buf.Write(first)
		rest = nodes[1:]
	}
	for _, n := range rest {
		if err := w.clean(n); err != nil {
			return err
		}
	}
	var err error
	if w.WrappingKind != "" {
		err = w.wrapped(&buf, nodes)
	} else {
		err = stream(&buf, rest)
	}
	if err != nil {
		return err
	}
	_, err = w.Writer.Write(buf.Bytes())
	return err
}

// firstDocument prints the first document of a stream. The emitter prints
// it when it is in its subset. Otherwise (comments, wide sequences:
// `krm-fn render` passes the user's commented cluster through first)
// yaml.v3 encodes a cleaned copy of it followed by a probe document, and
// the text counts only if the probe comes out as on its own: yaml.v3
// carries some comments over into the next document.
func (w Writer) firstDocument(n *yaml.RNode) ([]byte, bool, error) {
	wide := n.GetAnnotations()[kioutil.SeqIndentAnnotation] == string(yaml.WideSequenceStyle)
	if !wide && isMapping(n) {
		if err := w.clean(n); err != nil {
			return nil, false, err
		}
		var buf bytes.Buffer
		err := newEmitter(&buf).mapping(n.YNode(), 0, false)
		return buf.Bytes(), err == nil, err
	}
	c := n.Copy()
	if err := w.clean(c); err != nil {
		return nil, false, err
	}
	style := yaml.CompactSequenceStyle
	if wide {
		style = yaml.WideSequenceStyle
	}
	text, err := encodeWithProbe(c.YNode(), style)
	if err != nil || text == nil {
		return nil, false, err
	}
	if err := w.clean(n); err != nil {
		return nil, false, err
	}
	return text, true, nil
}

// clean removes what kio.ByteWriter removes before writing.
func (w Writer) clean(n *yaml.RNode) error {
	if !w.KeepReaderAnnotations {
		// The legacy index annotation is deprecated for writing, but
		// kio.ByteWriter still clears it, so this does too.
		for _, a := range []string{kioutil.IndexAnnotation, kioutil.LegacyIndexAnnotation, kioutil.SeqIndentAnnotation} { //nolint:staticcheck // see above
			if _, err := n.Pipe(yaml.ClearAnnotation(a)); err != nil {
				return fmt.Errorf("clearing annotation %s: %w", a, err)
			}
		}
	}
	return yaml.ClearEmptyAnnotations(n)
}

// byteWriter is the kio.ByteWriter this Writer stands for.
func (w Writer) byteWriter() kio.ByteWriter {
	bw := kio.ByteWriter{Writer: w.Writer, KeepReaderAnnotations: w.KeepReaderAnnotations}
	if w.WrappingKind != "" {
		bw.WrappingKind, bw.WrappingAPIVersion = w.WrappingKind, w.WrappingAPIVersion
		bw.FunctionConfig, bw.Results = w.FunctionConfig, w.Results
	}
	return bw
}

// emittable says whether Write prints what kio.ByteWriter would. In a
// ResourceList every object, the functionConfig and the results must be in
// the emitter's subset. In a stream of several documents, so must every
// document but the first (see firstDocument), which must be a block
// mapping that does not end the stream with "..." (see keepsBreaks).
func (w Writer) emittable(nodes []*yaml.RNode) bool {
	if len(nodes) == 0 || (w.WrappingKind == "" && len(nodes) == 1) {
		// Nothing to gain; and a lone object from a .json file is
		// written as JSON.
		return false
	}
	if w.WrappingKind == "" {
		first := nodes[0]
		if first.YNode().Kind != yaml.MappingNode || first.YNode().Style != 0 || hasKeptBreaks(first.YNode()) ||
			first.Field(yaml.BareSeqNodeWrappingKey) != nil {
			return false
		}
		for _, n := range nodes[1:] {
			if !isMapping(n) || n.GetAnnotations()[kioutil.SeqIndentAnnotation] == string(yaml.WideSequenceStyle) {
				return false
			}
		}
		return true
	}
	for _, n := range nodes {
		if !isMapping(n) {
			return false
		}
	}
	if w.FunctionConfig != nil && !isMapping(w.FunctionConfig) {
		return false
	}
	return w.Results == nil || supported(w.Results.YNode())
}

func hasKeptBreaks(n *yaml.Node) bool {
	if keepsBreaks(n.Value) {
		return true
	}
	for _, c := range n.Content {
		if hasKeptBreaks(c) {
			return true
		}
	}
	return false
}

func isMapping(n *yaml.RNode) bool {
	return n.YNode().Kind == yaml.MappingNode && n.YNode().Style == 0 && supported(n.YNode())
}

// keepsBreaks says whether the emitter would print v as a block scalar
// with the keep ("+") chomping indicator: v is one line break, or ends
// with two. After such a scalar yaml.v3 ends a stream with "...".
func keepsBreaks(v string) bool {
	last, size := utf8.DecodeLastRuneInString(v)
	if !isBreak(last) {
		return false
	}
	if len(v) == size {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(v[:len(v)-size])
	return isBreak(prev)
}

// isBreak is yaml.v3's is_break.
func isBreak(r rune) bool {
	switch r {
	case '\r', '\n', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}
