package krm_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestWriterRandomTrees compares krm.Writer with kio.ByteWriter on random
// trees built from scalars that sit on the edges of yaml.v3's plain,
// quoted and block styles.
func TestWriterRandomTrees(t *testing.T) {
	for seed := uint64(1); seed <= 1000; seed++ {
		g := treeGen{r: rand.New(rand.NewPCG(seed, 7))}
		var nodes []*yaml.RNode
		for range 1 + g.r.IntN(3) {
			nodes = append(nodes, yaml.NewRNode(g.mapping(3)))
		}
		var fc *yaml.RNode
		if g.r.IntN(2) == 0 {
			fc = yaml.NewRNode(g.mapping(2))
		}
		requireSameBytes(t, nodes, nil, nil, false)
		requireSameBytes(t, nodes, fc, nil, true)
	}
}

var edgeScalars = []string{
	"", " ", "a", "true", "True", "FALSE", "yes", "no", "on", "null", "Null", "~", "1", "-1", "0", "01", "-0", "+1",
	"1.5", "1e5", "1E5", "50Gi", "250m", "0x1F", "0b10", "0o7", "1Ei", "1ei", "5m0s", "1_000", "1x", "1b", "1o",
	"/tmp", "/", "//a", "apache/rocketmq:5.3.3", "a:", "a:b", "a::b", "a: b", "a #b", "a#b", "#a", "-a", "- a", "-",
	"--", "---", "...", "@a", "`a", "a\nb", "a\n", "a\n\n", "\n", " a", "a ", "é", "a\tb", "a'b", "a\"b",
	"2001-12-14", "2001-12-14T21:59:43Z", ".5", ".inf", "a,b", "[a]", "{a}", "*a", "&a", "!a", "%a", "|a", ">a",
	"?a", "a?", "=", "<<", "1:20", "12:30:45", "a.b-c_d/e", "A", "Z9", "nan", "Inf", "0.", "1.", "9999999999999999999999",
	"  lead\nlines", "x\n  indented\n\ny", "trailing  \nspace", "\u2028", "a\u0085b", "tab\t", "a\rb", "a\r\nb", "x\n\u2028",
}

var edgeKeys = []string{"a", "b", "app.kubernetes.io/name", "1", "true", "key with space", "-x", "/p", "a:b", "k_1", strings.Repeat("k", 130)}

var scalarTags = []string{"", yaml.NodeTagString, yaml.NodeTagString, yaml.NodeTagString, yaml.NodeTagInt, yaml.NodeTagBool, yaml.NodeTagNull, yaml.NodeTagFloat}

type treeGen struct{ r *rand.Rand }

func (g treeGen) mapping(depth int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	if g.r.IntN(12) == 0 {
		n.Style = yaml.FlowStyle
	}
	for i := range g.r.IntN(5) {
		k := edgeKeys[g.r.IntN(len(edgeKeys))] + strings.Repeat("z", i)
		if g.r.IntN(3) > 0 {
			k = edgeKeys[g.r.IntN(3)] + strings.Repeat("z", i)
		}
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: yaml.NodeTagString, Value: k}
		n.Content = append(n.Content, g.comment(key), g.comment(g.node(depth-1)))
	}
	return n
}

// comment adds a comment to one node in twenty.
func (g treeGen) comment(n *yaml.Node) *yaml.Node {
	switch g.r.IntN(60) {
	case 0:
		n.HeadComment = "# head"
	case 1:
		n.LineComment = "# line"
	case 2:
		n.FootComment = "# foot"
	}
	return n
}

func (g treeGen) sequence(depth int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	if g.r.IntN(12) == 0 {
		n.Style = yaml.FlowStyle
	}
	for range g.r.IntN(4) {
		n.Content = append(n.Content, g.node(depth-1))
	}
	return n
}

func (g treeGen) node(depth int) *yaml.Node {
	switch r := g.r.IntN(10); {
	case depth > 0 && r < 3:
		return g.mapping(depth)
	case depth > 0 && r < 5:
		return g.sequence(depth)
	default:
		return g.scalar()
	}
}

func (g treeGen) scalar() *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: edgeScalars[g.r.IntN(len(edgeScalars))], Tag: scalarTags[g.r.IntN(len(scalarTags))]}
	switch g.r.IntN(20) {
	case 0:
		n.Style = yaml.DoubleQuotedStyle
	case 1:
		n.Style = yaml.SingleQuotedStyle
	case 2:
		n.Style = yaml.LiteralStyle
	}
	return n
}
