package admin_test

import (
	"maps"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

func TestPropertiesRoundTrip(t *testing.T) {
	in := map[string]string{
		"namesrvAddr": "a:9876;b:9876", "path": `C:\store`, "spaced key": " leading", "k=v": "x:y",
		"multi": "line1\nline2", "hash": "#not a comment", "empty": "",
	}
	out := admin.DecodeProperties(admin.EncodeProperties(in))
	if !maps.Equal(in, out) {
		t.Fatalf("round trip\n got %q\nwant %q", out, in)
	}
}

// Text as MixAll.properties2String writes it and Properties.load reads it.
func TestDecodeJavaProperties(t *testing.T) {
	text := "# comment\n! also\n\nbrokerName=broker-a\nlistenPort : 10911\nflag true\nlong=a\\\n   b\nesc=tab\\there\n"
	want := map[string]string{"brokerName": "broker-a", "listenPort": "10911", "flag": "true", "long": "ab", "esc": "tab\there"}
	if got := admin.DecodeProperties([]byte(text)); !maps.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}
