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
