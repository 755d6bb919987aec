package renderdiff

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The metadata kinds and the defaults of their fields, as the CRDs and
// pkg/api/v1alpha1 declare them (repeated to keep this package free of the
// API types): a field left out reads as its default, so adding
// `queues: 8` to a topic without one is no change.
const (
	kindTopic        = "RocketMQTopic"
	kindGroup        = "RocketMQConsumerGroup"
	annotationManage = "rocketmq.gitops.dev/managed"
	defaultQueues    = 8
)

func isMetadataKind(kind string) bool { return kind == kindTopic || kind == kindGroup }

// metaChange is one sentence about a topic or group. refused says why the
// API server refuses the change (its CEL rules); warning marks a change it
// accepts but the status controller cannot carry out.
type metaChange struct {
	text, refused string
	warning       bool
}

func (m metaChange) sentence() string {
	switch {
	case m.refused != "":
		return m.text + " (refused: " + m.refused + ")"
	case m.warning:
		return "WARNING: " + m.text
	}
	return m.text
}

// metadataSummary words a topic or group change the way its owner thinks
// of it: by its RocketMQ name and its effective settings, defaults filled
// in.
func metadataSummary(c ObjectChange) []metaChange {
	switch c.Action {
	case Added:
		return []metaChange{{text: metaSubject(c.New) + " added: " + describeNew(c.New)}}
	case Removed:
		return []metaChange{{text: metaSubject(c.Old) + " removed from Git: " + removedEffect(c.Old)}}
	}
	var out []metaChange
	if s := managedChange(c); s != "" {
		out = append(out, metaChange{text: metaSubject(c.New) + ": " + s})
	}
	if c.ID.Kind == kindTopic {
		return append(out, topicChanges(c.Old, c.New)...)
	}
	return append(out, groupChanges(c.Old, c.New)...)
}

// metaSubject is "topic <name>" or "group <name>", with the RocketMQ name.
func metaSubject(o Object) string {
	kind, _ := o["kind"].(string)
	if kind == kindTopic {
		return "topic " + rocketMQName(o, "topicName")
	}
	return "group " + rocketMQName(o, "groupName")
}

func rocketMQName(o Object, field string) string {
	if s, _ := lookup(o, "spec", field); s != nil {
		if name, ok := s.(string); ok && name != "" {
			return name
		}
	}
	v, _ := lookup(o, "metadata", "name")
	name, _ := v.(string)
	return name
}

func describeNew(o Object) string {
	kind, _ := o["kind"].(string)
	if kind == kindGroup {
		parts := []string{fmt.Sprintf("retryMaxTimes %d", num(o, 16, "spec", "retryMaxTimes"))}
		if boolean(o, false, "spec", "consumeOrderly") {
			parts = append([]string{"orderly"}, parts...)
		}
		return strings.Join(parts, ", ") + ", " + onGroups(o)
	}
	read, write := queues(o)
	q := fmt.Sprintf("%d queues", read)
	if read != write {
		q = fmt.Sprintf("%d read and %d write queues", read, write)
	}
	return fmt.Sprintf("%s, %s, perm %s, %s", q, str(o, "NORMAL", "spec", "messageType"), permWords(num(o, 6, "spec", "perm")), onGroups(o))
}

func onGroups(o Object) string {
	if g := brokerGroups(o); g != "(all)" {
		return "on " + g
	}
	return "on every broker group"
}

// removedEffect says what leaving Git does on the brokers.
func removedEffect(o Object) string {
	kind, _ := o["kind"].(string)
	policy := str(o, "Retain", "spec", "deletionPolicy")
	switch {
	case policy == "Delete" && kind == kindTopic:
		return "deleted once consumed (deletionPolicy Delete: the status controller deletes it from the brokers once no consumer group has unconsumed messages on it)"
	case policy == "Delete":
		return "deleted once it has consumed everything on its topics (deletionPolicy Delete), its offsets with it"
	case kind == kindTopic:
		return "stops being managed, the topic stays (deletionPolicy Retain: its messages stay on the brokers)"
	}
	return "stops being managed, the group stays (deletionPolicy Retain: its offsets stay on the brokers)"
}

func managedChange(c ObjectChange) string {
	was := str(c.Old, "true", "metadata", "annotations", annotationManage) != "false"
	is := str(c.New, "true", "metadata", "annotations", annotationManage) != "false"
	switch {
	case was && !is:
		return annotationManage + ": \"false\": stops being managed, left on the brokers as it is"
	case !was && is:
		return "managed again: the status controller puts the brokers back to the spec"
	}
	return ""
}

func topicChanges(o, n Object) []metaChange {
	subject := metaSubject(n)
	out := immutableChanges(o, n, subject, "topicName")
	or, ow := queues(o)
	nr, nw := queues(n)
	if or == ow && nr == nw {
		out = append(out, countChange(subject, "queues", or, nr)...)
	} else {
		out = append(out, countChange(subject, "readQueues", or, nr)...)
		out = append(out, countChange(subject, "writeQueues", ow, nw)...)
	}
	if a, b := str(o, "NORMAL", "spec", "messageType"), str(n, "NORMAL", "spec", "messageType"); a != b {
		out = append(out, metaChange{text: fmt.Sprintf("%s: messageType %s → %s", subject, a, b),
			refused: "messageType is immutable; create a new topic for another message type"})
	}
	if a, b := num(o, 6, "spec", "perm"), num(n, 6, "spec", "perm"); a != b {
		out = append(out, metaChange{text: fmt.Sprintf("%s: perm %s → %s", subject, permWords(a), permWords(b))})
	}
	out = append(out, attributeChanges(o, n, subject)...)
	return append(out, commonChanges(o, n, subject)...)
}

// countChange words a queue count change; a shrink is refused (the CRD's
// rule, and the controller's: messages in dropped queues are never read).
func countChange(subject, field string, a, b int64) []metaChange {
	if a == b {
		return nil
	}
	m := metaChange{text: fmt.Sprintf("%s: %s %d → %d", subject, field, a, b)}
	if b < a {
		m.refused = field + " may grow, never shrink: messages in dropped queues would no longer be read"
	}
	return []metaChange{m}
}

// unchangeableAttributes are the topic attributes the broker refuses to
// change once set (TopicAttributes with changeable=false).
var unchangeableAttributes = map[string]bool{"queue.type": true, "cleanup.policy": true}

func attributeChanges(o, n Object, subject string) []metaChange {
	oa, _ := lookup(o, "spec", "attributes")
	na, _ := lookup(n, "spec", "attributes")
	om, _ := oa.(map[string]any)
	nm, _ := na.(map[string]any)
	var out []metaChange
	for _, ch := range propertyChanges(stringMap(om), stringMap(nm)) {
		key, _, _ := strings.Cut(ch, " ")
		key, _, _ = strings.Cut(key, "=")
		m := metaChange{text: fmt.Sprintf("%s: attribute %s", subject, ch)}
		if unchangeableAttributes[key] && om[key] != nil {
			m.text += ": the brokers cannot change it once set, the topic will be Stalled"
			m.warning = true
		}
		out = append(out, m)
	}
	return out
}

func groupChanges(o, n Object) []metaChange {
	subject := metaSubject(n)
	out := immutableChanges(o, n, subject, "groupName")
	for _, f := range []struct {
		field string
		def   bool
		off   string
	}{
		{"consumeOrderly", false, ""},
		{"consumeBroadcast", true, ""},
		{"consumeEnable", true, ": its consumers stop pulling messages"},
		{"consumeFromMin", true, ""},
	} {
		a, b := boolean(o, f.def, "spec", f.field), boolean(n, f.def, "spec", f.field)
		if a == b {
			continue
		}
		text := fmt.Sprintf("%s: %s %t → %t", subject, f.field, a, b)
		if !b {
			text += f.off
		}
		out = append(out, metaChange{text: text})
	}
	if a, b := num(o, 16, "spec", "retryMaxTimes"), num(n, 16, "spec", "retryMaxTimes"); a != b {
		out = append(out, metaChange{text: fmt.Sprintf("%s: retryMaxTimes %d → %d", subject, a, b)})
	}
	if a, b := retryPolicy(o), retryPolicy(n); a != b {
		out = append(out, metaChange{text: fmt.Sprintf("%s: retryPolicy %s → %s", subject, a, b)})
	}
	return append(out, commonChanges(o, n, subject)...)
}

// immutableChanges reports the fields the CRD's rules make immutable.
func immutableChanges(o, n Object, subject, nameField string) []metaChange {
	var out []metaChange
	if a, b := rocketMQName(o, nameField), rocketMQName(n, nameField); a != b {
		out = append(out, metaChange{text: fmt.Sprintf("%s: %s %s → %s", subject, nameField, a, b),
			refused: nameField + " is immutable; declare a new object for another name"})
	}
	if a, b := clusterRef(o), clusterRef(n); a != b {
		out = append(out, metaChange{text: fmt.Sprintf("%s: clusterRef %s → %s", subject, a, b),
			refused: "clusterRef is immutable; move topics and groups between clusters with a TopicTransfer"})
	}
	return out
}

func commonChanges(o, n Object, subject string) []metaChange {
	var out []metaChange
	if a, b := brokerGroups(o), brokerGroups(n); a != b {
		out = append(out, metaChange{text: fmt.Sprintf("%s: brokerGroups %s → %s", subject, a, b)})
	}
	if a, b := str(o, "Retain", "spec", "deletionPolicy"), str(n, "Retain", "spec", "deletionPolicy"); a != b {
		out = append(out, metaChange{text: fmt.Sprintf("%s: deletionPolicy %s → %s", subject, a, b)})
	}
	return out
}

// clusterRef is namespace/name, the namespace defaulting to the object's.
func clusterRef(o Object) string {
	ns := str(o, "", "spec", "clusterRef", "namespace")
	if ns == "" {
		ns = str(o, "", "metadata", "namespace")
	}
	return ns + "/" + str(o, "", "spec", "clusterRef", "name")
}

func brokerGroups(o Object) string {
	v, _ := lookup(o, "spec", "brokerGroups")
	list, _ := v.([]any)
	if len(list) == 0 {
		return "(all)"
	}
	names := make([]string, 0, len(list))
	for _, g := range list {
		names = append(names, fmt.Sprint(g))
	}
	sort.Strings(names) // a set: order is no change
	return "[" + strings.Join(names, ", ") + "]"
}

func retryPolicy(o Object) string {
	v, ok := lookup(o, "spec", "retryPolicy")
	if !ok || v == nil {
		return "(the broker's delay levels)"
	}
	b, err := json.Marshal(v) // sorted keys: stable text
	if err != nil {
		return "(unprintable)"
	}
	return string(b)
}

// queues returns the effective read and write queue counts.
func queues(o Object) (read, write int64) {
	q := num(o, defaultQueues, "spec", "queues")
	return num(o, q, "spec", "readQueues"), num(o, q, "spec", "writeQueues")
}

func permWords(p int64) string {
	switch p {
	case 6:
		return "6 (read and write)"
	case 4:
		return "4 (read only)"
	case 2:
		return "2 (write only)"
	}
	return fmt.Sprint(p)
}

func num(o Object, def int64, keys ...string) int64 {
	v, _ := lookup(o, keys...)
	switch x := v.(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	}
	return def
}

func boolean(o Object, def bool, keys ...string) bool {
	v, _ := lookup(o, keys...)
	if b, ok := v.(bool); ok {
		return b
	}
	return def
}

func str(o Object, def string, keys ...string) string {
	v, _ := lookup(o, keys...)
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return def
}

func stringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}
