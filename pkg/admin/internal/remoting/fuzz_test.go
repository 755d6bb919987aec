package remoting

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"testing"
)

// FuzzDecode feeds arbitrary frames (without the length word) to the
// decoder: it must never panic, and whatever it accepts must encode and
// decode again to the same command.
func FuzzDecode(f *testing.F) {
	for _, fx := range wireFixtures {
		raw, _ := hex.DecodeString(fx.hex)
		f.Add(raw[4:])
	}
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 2, '{', '}'})
	f.Fuzz(func(t *testing.T, frame []byte) {
		cmd, err := Decode(frame)
		if err != nil {
			return
		}
		raw, err := Encode(cmd)
		if err != nil {
			return // e.g. a binary code that does not fit a short
		}
		again, err := ReadCommand(bytes.NewReader(raw), MaxFrameLength)
		if err != nil {
			t.Fatalf("re-decoding own encoding failed: %v", err)
		}
		if again.Code != int(int16(cmd.Code)) && cmd.SerializeType == SerializeRocketMQ {
			t.Fatalf("code changed: %d -> %d", cmd.Code, again.Code)
		}
		if again.Opaque != cmd.Opaque || !bytes.Equal(again.Body, cmd.Body) {
			t.Fatalf("round trip changed the command: %+v -> %+v", cmd, again)
		}
	})
}

// FuzzNormalize checks that the tolerant decoder never panics and that its
// output, when it accepts the input, is valid JSON that normalises to
// itself.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		`{"brokerAddrTable":{"b":{"brokerAddrs":{0:"a:1",1:"b:2"},"brokerName":"b","cluster":"c"}},"clusterAddrTable":{"c":["b"]}}`,
		`{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"brokerOffset":1,"consumerOffset":1}}}`,
		`[1,-2.5e-3,true,false,null,"\u00e9\n"]`,
		`{{{0:1}:2}:3}`,
		`{"a":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Normalize(in)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			// Strings are copied through unchecked; invalid escapes or
			// control characters are left for encoding/json to refuse.
			return
		}
		again, err := Normalize(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("normalising valid output changed it: %s -> %s (%v)", out, again, err)
		}
	})
}
