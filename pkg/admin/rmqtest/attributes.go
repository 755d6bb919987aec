package rmqtest

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// attrSpec is one entry of TopicAttributes.ALL: whether it may change
// after creation and which values it accepts.
type attrSpec struct {
	changeable bool
	values     []string // enum universe; nil for a long range
	minLong    int64
}

// topicAttributes is TopicAttributes.ALL.
var topicAttributes = map[string]attrSpec{
	"queue.type":     {changeable: false, values: []string{"BatchCQ", "SimpleCQ"}},
	"cleanup.policy": {changeable: false, values: []string{"COMPACTION", "DELETE"}},
	"message.type":   {changeable: true, values: []string{"DELAY", "FIFO", "MIXED", "NORMAL", "TRANSACTION", "UNSPECIFIED"}},
	"reserve.time":   {changeable: true, minLong: -1},
}

// groupAttributes is SubscriptionGroupAttributes.ALL, which is empty: any
// group attribute is refused as an unsupported key.
var groupAttributes = map[string]attrSpec{}

// parseAttributes is AttributeParser.parseToMap: "+k=v,-k2" into a map
// keyed with the operation prefix.
func parseAttributes(s string) (map[string]string, error) {
	out := make(map[string]string)
	if s == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		key, value := kv, ""
		if strings.Contains(kv, "=") {
			parts := strings.Split(kv, "=")
			key, value = parts[0], parts[1]
			if !strings.Contains(key, "+") {
				return nil, fmt.Errorf("add/alter attribute format is wrong: %s", key)
			}
		} else if !strings.Contains(key, "-") {
			return nil, fmt.Errorf("delete attribute format is wrong: %s", key)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("key duplication: %s", key)
		}
		out[key] = value
	}
	return out, nil
}

// alterAttributes is AttributeUtil.alterCurrentAttributes: on create only
// "+key" is allowed; on update "+" adds or replaces and "-" deletes; keys
// must be known, values valid, unchangeable keys untouched after creation.
func alterAttributes(create bool, all map[string]attrSpec, current, request map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(current))
	for k, v := range current {
		out[k] = v
	}
	keys := make([]string, 0, len(request))
	for k := range request {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var deletes []string
	for _, key := range keys {
		real, del, err := checkAttribute(create, all, current, key, request[key])
		if err != nil {
			return nil, err
		}
		if del {
			deletes = append(deletes, real)
			continue
		}
		out[real] = request[key]
	}
	for _, k := range deletes {
		delete(out, k)
	}
	return out, nil
}

// checkAttribute validates one +/- prefixed attribute of a request and
// returns its plain key and whether it is a deletion.
func checkAttribute(create bool, all map[string]attrSpec, current map[string]string, key, value string) (string, bool, error) {
	real := strings.TrimLeft(key, "+-")
	var op byte
	if len(key) > 0 {
		op = key[0]
	}
	switch {
	case create && op != '+':
		return "", false, fmt.Errorf("only add attribute is supported while creating topic. key: %s", real)
	case !create && op == '-':
		if _, ok := current[real]; !ok {
			return "", false, fmt.Errorf("attempt to delete a nonexistent key: %s", real)
		}
	case !create && op != '+':
		return "", false, fmt.Errorf("wrong format key: %s", real)
	}
	spec, ok := all[real]
	if !ok {
		return "", false, fmt.Errorf("unsupported key: %s", real)
	}
	if !create && !spec.changeable {
		return "", false, fmt.Errorf("attempt to update an unchangeable attribute. key: %s", real)
	}
	if op == '-' {
		return real, true, nil
	}
	return real, false, spec.verify(value)
}

func (s attrSpec) verify(value string) error {
	if s.values == nil {
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < s.minLong {
			return fmt.Errorf("value is not in range(%d, %d)", s.minLong, int64(^uint64(0)>>1))
		}
		return nil
	}
	for _, v := range s.values {
		if v == value {
			return nil
		}
	}
	return fmt.Errorf("value is not in set: [%s]", strings.Join(s.values, ", "))
}
