package javaprops_test

import (
	"maps"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/javaprops"
)

func TestPropertiesRoundTrip(t *testing.T) {
	in := map[string]string{
		"namesrvAddr": "a:9876;b:9876", "path": `C:\store`, "spaced key": " leading", "k=v": "x:y",
		"multi": "line1\nline2", "hash": "#not a comment", "empty": "",
		"tab": "tab\there", "json": `{"a":"b\"c"}`,
	}
	out := javaprops.Decode(javaprops.Encode(in))
	if !maps.Equal(in, out) {
		t.Fatalf("round trip\n got %q\nwant %q", out, in)
	}
}

// Text as MixAll.properties2String writes it and Properties.load reads it.
func TestDecodeJavaProperties(t *testing.T) {
	text := "# comment\n! also\n\nbrokerName=broker-a\nlistenPort : 10911\nflag true\nlong=a\\\n   b\nesc=tab\\there\n"
	want := map[string]string{"brokerName": "broker-a", "listenPort": "10911", "flag": "true", "long": "ab", "esc": "tab\there"}
	if got := javaprops.Decode([]byte(text)); !maps.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestEncodeSortsKeys(t *testing.T) {
	got := string(javaprops.Encode(map[string]string{"b": "2", "a": "1", "c": "3"}))
	if got != "a=1\nb=2\nc=3\n" {
		t.Fatalf("keys not sorted: %q", got)
	}
}

// Non-ASCII text is written as Java's \uXXXX: RocketMQ reads broker.conf
// as ISO-8859-1, where raw UTF-8 would arrive garbled.
func TestEncodeEscapesNonASCII(t *testing.T) {
	in := map[string]string{"a": "café", "b": "😀", "c": "bell\x07"}
	text := string(javaprops.Encode(in))
	if want := "a=caf\\u00e9\nb=\\ud83d\\ude00\nc=bell\\u0007\n"; text != want {
		t.Fatalf("got %q, want %q", text, want)
	}
	for _, r := range text {
		if r > 0x7e {
			t.Fatalf("non-ASCII %q in %q", r, text)
		}
	}
	if out := javaprops.Decode([]byte(text)); !maps.Equal(in, out) {
		t.Fatalf("round trip: got %q, want %q", out, in)
	}
	// Raw UTF-8, as MixAll.properties2String writes it in GET_BROKER_CONFIG.
	if got := javaprops.Decode([]byte("a=café\n"))["a"]; got != "café" {
		t.Fatalf("raw UTF-8 value: got %q", got)
	}
}
