package metadata

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Event reasons beyond the condition reasons of the API.
const (
	EventCreated        = "Created"
	EventAdopted        = "Adopted"
	EventUpdated        = "Updated"
	EventDriftCorrected = "DriftCorrected"
	EventDeleted        = "Deleted"
)

// plan is what one reconcile sends to each broker group's master.
type plan struct {
	topics map[string][]admin.TopicConfig
	groups map[string][]admin.SubscriptionGroupConfig
}

// write is one member's pending change on one broker group.
type write struct {
	brokerGroup string
	reason      string
	changes     []string
	after       *admin.TopicConfig // topics: the broker's copy once written
}

// scratch is a member's planning state, turned into its outcome once the
// writes are sent.
type scratch struct {
	writes    []write
	refusals  []string
	refusal   string
	notReady  []string
	failed    []string
	present   []string
	adopted   []string
	wouldDiff []string
	current   map[string]*admin.TopicConfig
	created   int
}

// planMember judges the member against every broker group it selects and
// adds what must change to p.
func planMember(m *member, groups []*brokerGroup, p *plan) {
	all := byName(groups)
	targets := m.spec.brokerGroups
	if len(targets) == 0 {
		for _, b := range groups {
			targets = append(targets, b.name)
		}
	}
	var missing []string
	for _, t := range targets {
		if all[t] == nil {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		m.set(stateStalled, v1alpha1.ReasonBrokerGroupNotFound, fmt.Sprintf(
			"spec.brokerGroups names %s, which the cluster does not have (it has %s)", strings.Join(missing, ", "), strings.Join(names(groups), ", ")))
		return
	}
	if len(targets) == 0 {
		m.set(stateReconciling, v1alpha1.ReasonClusterNotReady, "the cluster reports no broker groups yet (status.brokerGroups)")
		return
	}
	m.scratch = &scratch{current: map[string]*admin.TopicConfig{}}
	for _, t := range slices.Sorted(slices.Values(targets)) {
		b := all[t]
		if !b.usable() {
			m.scratch.notReady = append(m.scratch.notReady, t)
			continue
		}
		if m.topic != nil {
			planTopicOn(m, b, p)
		} else {
			planGroupOn(m, b, p)
		}
	}
}

func planTopicOn(m *member, b *brokerGroup, p *plan) {
	s := m.scratch
	want := wantTopic(m.topic)
	var cur *admin.TopicConfig
	if tc, ok := b.topics[m.name]; ok {
		cur = &tc
		s.current[b.name] = cur
	}
	v := judgeTopic(want, cur)
	switch {
	case v.refusal != "":
		s.refusal = v.refusal
		s.refusals = append(s.refusals, b.name+": "+v.why)
		if cur != nil {
			s.present = append(s.present, b.name)
		}
	case len(v.changes) == 0:
		s.present = append(s.present, b.name)
		s.noteAdopted(m, b.name)
	case !m.managed():
		s.wouldDiff = append(s.wouldDiff, b.name+": "+strings.Join(v.changes, ", "))
		if cur != nil {
			s.present = append(s.present, b.name)
		}
	default:
		after := v.send
		if cur != nil {
			after.Attributes = maps.Clone(cur.Attributes)
			if after.Attributes == nil {
				after.Attributes = map[string]string{}
			}
			maps.Copy(after.Attributes, v.send.Attributes)
		}
		s.writes = append(s.writes, write{brokerGroup: b.name, reason: writeReason(m, b.name, cur != nil), changes: v.changes, after: &after})
		p.topics[b.name] = append(p.topics[b.name], v.send)
	}
}

func planGroupOn(m *member, b *brokerGroup, p *plan) {
	s := m.scratch
	var cur *admin.SubscriptionGroupConfig
	if g, ok := b.groups[m.name]; ok {
		cur = &g
	}
	v := judgeGroup(m.group, cur)
	switch {
	case len(v.changes) == 0:
		s.present = append(s.present, b.name)
		s.noteAdopted(m, b.name)
	case !m.managed():
		s.wouldDiff = append(s.wouldDiff, b.name+": "+strings.Join(v.changes, ", "))
		if cur != nil {
			s.present = append(s.present, b.name)
		}
	default:
		s.writes = append(s.writes, write{brokerGroup: b.name, reason: writeReason(m, b.name, cur != nil), changes: v.changes})
		p.groups[b.name] = append(p.groups[b.name], v.send)
	}
}

// noteAdopted records a broker group where the topic or group was found as
// declared before the controller reported it there.
func (s *scratch) noteAdopted(m *member, brokerGroup string) {
	if !slices.Contains(m.prev.BrokerGroups, brokerGroup) {
		s.adopted = append(s.adopted, brokerGroup)
	}
}

// writeReason tells a change the controller makes for the spec from one
// that puts back what someone changed by hand: the object was Ready for
// its current generation and reported on that broker group.
func writeReason(m *member, brokerGroup string, exists bool) string {
	st := &m.prev
	wasApplied := st.ObservedGeneration == m.obj.GetGeneration() && readyTrue(st) && slices.Contains(st.BrokerGroups, brokerGroup)
	switch {
	case wasApplied:
		return EventDriftCorrected
	case exists:
		return EventUpdated
	}
	return EventCreated
}

// settle turns a member's scratch into its outcome and Events once the
// writes were sent; failed holds the broker groups whose write failed.
func settle(m *member, failed map[string]error) {
	s := m.scratch
	if s == nil {
		return
	}
	byReason := map[string][]string{}
	for _, w := range s.writes {
		if err := failed[w.brokerGroup]; err != nil {
			s.failed = append(s.failed, fmt.Sprintf("%s: %v", w.brokerGroup, err))
			continue
		}
		s.present = append(s.present, w.brokerGroup)
		if w.after != nil {
			s.current[w.brokerGroup] = w.after
		}
		byReason[w.reason] = append(byReason[w.reason], fmt.Sprintf("%s %s on %s (%s)", strings.ToLower(m.kind[len("RocketMQ"):]), m.name, w.brokerGroup, strings.Join(w.changes, ", ")))
	}
	for _, reason := range sortedKeys(byReason) {
		if reason == EventCreated {
			// Creations are counted in one Event on the cluster: one per
			// object would double the API writes of a first apply.
			s.created = len(byReason[reason])
			continue
		}
		m.emit(reason == EventDriftCorrected, reason, reasonVerb(reason)+" "+strings.Join(byReason[reason], "; "))
	}
	if len(s.adopted) > 0 && m.managed() {
		m.emit(false, EventAdopted, fmt.Sprintf("adopted %s, found as declared on %s", m.name, strings.Join(s.adopted, ", ")))
	}
	sort.Strings(s.present)
	m.out.present = s.present
	m.out.current = firstCurrent(s)
	m.out.diffs = append(s.refusals, s.wouldDiff...)
	decide(m)
}

func decide(m *member) {
	s := m.scratch
	switch {
	case !m.managed() && len(s.notReady) == 0:
		m.set(stateReady, v1alpha1.ReasonUnmanaged, fmt.Sprintf("%s=false: nothing is changed or deleted; present on %d broker groups", v1alpha1.AnnotationManaged, len(s.present)))
	case len(s.refusals) > 0:
		m.set(stateStalled, s.refusal, "left alone: "+strings.Join(s.refusals, "; "))
		if !reasonIs(&m.prev, m.obj.GetGeneration(), v1alpha1.ConditionStalled, s.refusal) {
			m.emit(true, s.refusal, m.out.message)
		}
	case len(s.failed) > 0:
		m.set(stateReconciling, v1alpha1.ReasonBrokerError, "retrying: "+strings.Join(s.failed, "; "))
	case len(s.notReady) > 0:
		m.set(stateReconciling, v1alpha1.ReasonClusterNotReady, "waiting for a reachable master of broker groups "+strings.Join(s.notReady, ", "))
	default:
		m.set(stateReady, v1alpha1.ReasonApplied, fmt.Sprintf("present as declared on %d broker groups: %s", len(s.present), strings.Join(s.present, ", ")))
	}
}

func reasonVerb(reason string) string {
	switch reason {
	case EventDriftCorrected:
		return "put back what was changed by hand:"
	}
	return "updated"
}

// firstCurrent is the first broker group in name order that has the topic.
func firstCurrent(s *scratch) *v1alpha1.TopicState {
	for _, g := range sortedKeys(s.current) {
		return topicState(s.current[g])
	}
	return nil
}

func names(groups []*brokerGroup) []string {
	out := make([]string, len(groups))
	for i, b := range groups {
		out[i] = b.name
	}
	return out
}

// creations counts the topics and groups created on brokers, per kind.
func creations(members []*member) (topics, groups int) {
	for _, m := range members {
		if m.scratch == nil || m.scratch.created == 0 {
			continue
		}
		if m.topic != nil {
			topics++
		} else {
			groups++
		}
	}
	return topics, groups
}
