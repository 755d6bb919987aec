package rmqtest

import (
	"maps"
	"strings"
	"testing"
)

func TestAlterAttributes(t *testing.T) {
	cur := map[string]string{"queue.type": "SimpleCQ", "message.type": "NORMAL"}
	cases := []struct {
		name    string
		create  bool
		current map[string]string
		request string
		want    map[string]string
		err     string
	}{
		{name: "create", create: true, request: "+message.type=FIFO,+queue.type=BatchCQ", want: map[string]string{"message.type": "FIFO", "queue.type": "BatchCQ"}},
		{name: "create needs +", create: true, request: "-message.type", err: "only add attribute is supported while creating topic"},
		{name: "update changeable", current: cur, request: "+message.type=DELAY", want: map[string]string{"queue.type": "SimpleCQ", "message.type": "DELAY"}},
		{name: "delete", current: cur, request: "-message.type", want: map[string]string{"queue.type": "SimpleCQ"}},
		{name: "delete missing", current: map[string]string{}, request: "-message.type", err: "attempt to delete a nonexistent key: message.type"},
		{name: "unchangeable even if equal", current: cur, request: "+queue.type=SimpleCQ", err: "attempt to update an unchangeable attribute. key: queue.type"},
		{name: "unknown key", create: true, request: "+foo=bar", err: "unsupported key: foo"},
		{name: "bad enum", create: true, request: "+cleanup.policy=KEEP", err: "value is not in set"},
		{name: "bad range", create: true, request: "+reserve.time=-2", err: "value is not in range"},
		{name: "duplicate", create: true, request: "+message.type=FIFO,+message.type=DELAY", err: "key duplication"},
		{name: "no sign", create: true, request: "message.type=FIFO", err: "add/alter attribute format is wrong"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := parseAttributes(c.request)
			if err == nil {
				var got map[string]string
				got, err = alterAttributes(c.create, topicAttributes, c.current, req)
				if err == nil && c.err == "" && !maps.Equal(got, c.want) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
			if c.err == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("got error %v, want one containing %q", err, c.err)
			}
		})
	}
}
