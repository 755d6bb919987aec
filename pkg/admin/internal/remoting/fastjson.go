package remoting

import (
	"encoding/json"
	"errors"
	"fmt"
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 256

// Normalize rewrites fastjson output into standard JSON. fastjson writes
// maps whose keys are not strings with the key as-is: bare integers
// (HashMap<Long,String> brokerAddrs becomes {0:"a:1"}) and whole objects
// (Map<MessageQueue,OffsetWrapper> becomes {{"topic":"t",...}:{...}}).
// Such keys are turned into JSON strings holding the key's normalised,
// compact text, so encoding/json can decode the map into map[string]T (or
// map[int64]T for integer keys) and object keys can be decoded again.
func Normalize(data []byte) ([]byte, error) {
	n := &normalizer{in: data}
	n.skipSpace()
	out := make([]byte, 0, len(data)+len(data)/8)
	out, err := n.value(out, 0)
	if err != nil {
		return nil, err
	}
	n.skipSpace()
	if n.pos != len(n.in) {
		return nil, n.errorf("trailing data")
	}
	return out, nil
}

// Unmarshal decodes fastjson data into v. Standard JSON is decoded as is;
// only input that encoding/json rejects as malformed (it validates the
// whole input before touching v) is normalised first.
func Unmarshal(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		return err
	}
	norm, err := Normalize(data)
	if err != nil {
		return err
	}
	return json.Unmarshal(norm, v)
}

type normalizer struct {
	in  []byte
	pos int
}

func (n *normalizer) errorf(format string, args ...any) error {
	return fmt.Errorf("fastjson: "+format+" at offset %d", append(args, n.pos)...)
}

func (n *normalizer) skipSpace() {
	for n.pos < len(n.in) {
		switch n.in[n.pos] {
		case ' ', '\t', '\n', '\r':
			n.pos++
		default:
			return
		}
	}
}

func (n *normalizer) value(out []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, n.errorf("nesting deeper than %d", maxDepth)
	}
	if n.pos >= len(n.in) {
		return nil, n.errorf("unexpected end of input")
	}
	switch c := n.in[n.pos]; {
	case c == '{':
		return n.object(out, depth)
	case c == '[':
		return n.array(out, depth)
	case c == '"':
		return n.str(out)
	case isBareChar(c):
		tok := n.bare()
		if !json.Valid(tok) {
			return nil, n.errorf("invalid literal %q", tok)
		}
		return append(out, tok...), nil
	default:
		return nil, n.errorf("unexpected character %q", c)
	}
}

func isBareChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
		c == '-' || c == '+' || c == '.' || c == '_'
}

func (n *normalizer) bare() []byte {
	start := n.pos
	for n.pos < len(n.in) && isBareChar(n.in[n.pos]) {
		n.pos++
	}
	return n.in[start:n.pos]
}

// str copies a quoted string through unchanged; json.Unmarshal validates
// its escapes later.
func (n *normalizer) str(out []byte) ([]byte, error) {
	start := n.pos
	n.pos++
	for n.pos < len(n.in) {
		switch n.in[n.pos] {
		case '\\':
			n.pos += 2
		case '"':
			n.pos++
			return append(out, n.in[start:n.pos]...), nil
		default:
			n.pos++
		}
	}
	return nil, n.errorf("unterminated string")
}

func (n *normalizer) array(out []byte, depth int) ([]byte, error) {
	n.pos++
	out = append(out, '[')
	n.skipSpace()
	if n.pos < len(n.in) && n.in[n.pos] == ']' {
		n.pos++
		return append(out, ']'), nil
	}
	for {
		n.skipSpace()
		var err error
		if out, err = n.value(out, depth+1); err != nil {
			return nil, err
		}
		n.skipSpace()
		if n.pos >= len(n.in) {
			return nil, n.errorf("unterminated array")
		}
		switch n.in[n.pos] {
		case ',':
			n.pos++
			out = append(out, ',')
		case ']':
			n.pos++
			return append(out, ']'), nil
		default:
			return nil, n.errorf("expected , or ] in array")
		}
	}
}

func (n *normalizer) object(out []byte, depth int) ([]byte, error) {
	n.pos++
	out = append(out, '{')
	n.skipSpace()
	if n.pos < len(n.in) && n.in[n.pos] == '}' {
		n.pos++
		return append(out, '}'), nil
	}
	for {
		n.skipSpace()
		var err error
		if out, err = n.key(out, depth); err != nil {
			return nil, err
		}
		n.skipSpace()
		if n.pos >= len(n.in) || n.in[n.pos] != ':' {
			return nil, n.errorf("expected : after object key")
		}
		n.pos++
		out = append(out, ':')
		n.skipSpace()
		if out, err = n.value(out, depth+1); err != nil {
			return nil, err
		}
		n.skipSpace()
		if n.pos >= len(n.in) {
			return nil, n.errorf("unterminated object")
		}
		switch n.in[n.pos] {
		case ',':
			n.pos++
			out = append(out, ',')
		case '}':
			n.pos++
			return append(out, '}'), nil
		default:
			return nil, n.errorf("expected , or } in object")
		}
	}
}

// key writes an object key as a JSON string whatever form fastjson gave it.
func (n *normalizer) key(out []byte, depth int) ([]byte, error) {
	if n.pos >= len(n.in) {
		return nil, n.errorf("unexpected end of input in object key")
	}
	c := n.in[n.pos]
	if c == '"' {
		return n.str(out)
	}
	var raw []byte
	switch {
	case c == '{' || c == '[':
		var err error
		if raw, err = n.value(nil, depth+1); err != nil {
			return nil, err
		}
	case isBareChar(c):
		raw = n.bare()
	default:
		return nil, n.errorf("unexpected character %q in object key", c)
	}
	quoted, err := json.Marshal(string(raw))
	if err != nil {
		return nil, fmt.Errorf("fastjson: quoting key: %w", err)
	}
	return append(out, quoted...), nil
}

// RawKeyEntry is one entry of a fastjson map whose key is written as raw
// JSON text (a bare number or a whole object), as fastjson does for maps
// with non-String keys.
type RawKeyEntry struct {
	Key   []byte
	Value []byte
}

// AppendRawKeyObject appends {k:v,...} with keys written verbatim.
func AppendRawKeyObject(out []byte, entries []RawKeyEntry) []byte {
	out = append(out, '{')
	for i, e := range entries {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, e.Key...)
		out = append(out, ':')
		out = append(out, e.Value...)
	}
	return append(out, '}')
}
