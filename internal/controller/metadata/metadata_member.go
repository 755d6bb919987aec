package metadata

import (
	"sort"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// member is one RocketMQTopic or RocketMQConsumerGroup of the cluster being
// reconciled, with what the reconcile decided for it.
type member struct {
	obj client.Object
	// origin is the object's status as read, with only the identity, so
	// that patches are computed without a copy of the whole object.
	origin client.Object
	topic  *v1alpha1.RocketMQTopic
	group  *v1alpha1.RocketMQConsumerGroup
	// obj, topic and group are the cache's own copies, never written:
	// the new status goes to next, and finalizer changes to a copy.
	prev    v1alpha1.MetadataObjectStatus // the status as read
	next    v1alpha1.MetadataObjectStatus // the status computed
	copied  bool
	kind    string
	name    string // the RocketMQ name
	spec    memberSpec
	out     outcome
	events  []notice
	scratch *scratch
}

// memberSpec is what both kinds share in their specs.
type memberSpec struct {
	brokerGroups []string
	policy       v1alpha1.DeletionPolicy
	invalid      string
}

// outcome is the status a reconcile computed for a member.
type outcome struct {
	state   state
	reason  string
	message string
	present []string
	diffs   []string
	current *v1alpha1.TopicState
}

type state int

const (
	stateReady state = iota
	stateReconciling
	stateStalled
	// stateGone: deleted from the brokers, the finalizer may go.
	stateGone
)

// notice is an Event to send once the status is written.
type notice struct {
	warning      bool
	reason, note string
}

func topicMember(t *v1alpha1.RocketMQTopic) *member {
	m := &member{obj: t, origin: statusOnlyTopic(t, t.Status), topic: t, prev: t.Status.MetadataObjectStatus,
		next: *t.Status.MetadataObjectStatus.DeepCopy(), kind: v1alpha1.KindRocketMQTopic, name: t.RocketMQName()}
	m.spec = memberSpec{brokerGroups: t.Spec.BrokerGroups, policy: v1alpha1.DeletionPolicyOrDefault(t.Spec.DeletionPolicy)}
	if errs := t.Validate(); len(errs) > 0 {
		m.spec.invalid = errs.ToAggregate().Error()
	}
	return m
}

func groupMember(g *v1alpha1.RocketMQConsumerGroup) *member {
	m := &member{obj: g, origin: statusOnlyGroup(g, g.Status), group: g, prev: g.Status.MetadataObjectStatus,
		next: *g.Status.MetadataObjectStatus.DeepCopy(), kind: v1alpha1.KindRocketMQConsumerGroup, name: g.RocketMQName()}
	m.spec = memberSpec{brokerGroups: g.Spec.BrokerGroups, policy: v1alpha1.DeletionPolicyOrDefault(g.Spec.DeletionPolicy)}
	if errs := g.Validate(); len(errs) > 0 {
		m.spec.invalid = errs.ToAggregate().Error()
	}
	return m
}

func (m *member) deleting() bool { return !m.obj.GetDeletionTimestamp().IsZero() }
func (m *member) managed() bool  { return v1alpha1.Managed(m.obj.GetAnnotations()) }

func (m *member) set(s state, reason, msg string) {
	m.out.state, m.out.reason, m.out.message = s, reason, msg
}

func (m *member) emit(warning bool, reason, note string) {
	m.events = append(m.events, notice{warning: warning, reason: reason, note: note})
}

// older orders the claimants of one RocketMQ name: the oldest object
// keeps it, ties broken by namespace/name so every reconcile agrees.
func older(a, b *member) bool {
	ta, tb := a.obj.GetCreationTimestamp(), b.obj.GetCreationTimestamp()
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return client.ObjectKeyFromObject(a.obj).String() < client.ObjectKeyFromObject(b.obj).String()
}

// markDuplicates leaves one claimant per kind and RocketMQ name among
// candidates and makes the others Stalled with reason Duplicate. It
// returns the winners.
func markDuplicates(candidates []*member) []*member {
	byName := map[string][]*member{}
	for _, m := range candidates {
		byName[m.kind+"/"+m.name] = append(byName[m.kind+"/"+m.name], m)
	}
	var winners []*member
	for _, ms := range byName {
		sort.Slice(ms, func(i, j int) bool { return older(ms[i], ms[j]) })
		winners = append(winners, ms[0])
		for _, m := range ms[1:] {
			m.set(stateStalled, v1alpha1.ReasonDuplicate, m.kind+" "+client.ObjectKeyFromObject(ms[0].obj).String()+
				" declares "+m.name+" on this cluster already and is older; delete one of them")
		}
	}
	sort.Slice(winners, func(i, j int) bool {
		return client.ObjectKeyFromObject(winners[i].obj).String() < client.ObjectKeyFromObject(winners[j].obj).String()
	})
	return winners
}

// conditions writes the outcome into the status in the kstatus form.
func (m *member) conditions(cluster string) {
	st := &m.next
	gen := m.obj.GetGeneration()
	st.ObservedGeneration = gen
	st.Cluster = cluster
	st.BrokerGroups = m.out.present
	st.Differences = m.out.diffs
	o := m.out
	// Ready and the True condition carry the message; the False ones
	// only the reason: ten thousand statuses, each held in the cache.
	set := func(typ string, on bool, reason string) {
		s, msg := metav1.ConditionFalse, ""
		if on || typ == v1alpha1.ConditionReady {
			msg = o.message
		}
		if on {
			s = metav1.ConditionTrue
		}
		setCondition(st, typ, s, reason, msg, gen)
	}
	set(v1alpha1.ConditionReady, o.state == stateReady, o.reason)
	set(v1alpha1.ConditionReconciling, o.state == stateReconciling, o.reason)
	set(v1alpha1.ConditionStalled, o.state == stateStalled, o.reason)
}

func setCondition(st *v1alpha1.MetadataObjectStatus, typ string, s metav1.ConditionStatus, reason, msg string, gen int64) {
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: typ, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen})
}

func readyTrue(st *v1alpha1.MetadataObjectStatus) bool {
	return meta.IsStatusConditionTrue(st.Conditions, v1alpha1.ConditionReady)
}

func identity(o client.Object) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: o.GetNamespace(), Name: o.GetName()}
}

// statusOnlyTopic and statusOnlyGroup are objects with only an identity
// and a status; merge patches between two of them touch only the status.
func statusOnlyTopic(t *v1alpha1.RocketMQTopic, st v1alpha1.RocketMQTopicStatus) *v1alpha1.RocketMQTopic {
	return &v1alpha1.RocketMQTopic{TypeMeta: t.TypeMeta, ObjectMeta: identity(t), Status: st}
}

func statusOnlyGroup(g *v1alpha1.RocketMQConsumerGroup, st v1alpha1.RocketMQConsumerGroupStatus) *v1alpha1.RocketMQConsumerGroup {
	return &v1alpha1.RocketMQConsumerGroup{TypeMeta: g.TypeMeta, ObjectMeta: identity(g), Status: st}
}

// statusOnly is the member's computed status with only the identity.
func (m *member) statusOnly() client.Object {
	if m.topic != nil {
		return statusOnlyTopic(m.topic, v1alpha1.RocketMQTopicStatus{MetadataObjectStatus: m.next, TopicName: m.name, Current: m.out.current})
	}
	return statusOnlyGroup(m.group, v1alpha1.RocketMQConsumerGroupStatus{MetadataObjectStatus: m.next, GroupName: m.name})
}

// ownCopy makes obj the member's own copy before its metadata changes:
// the cache's copy must not be written.
func (m *member) ownCopy() {
	if !m.copied {
		m.obj = m.obj.DeepCopyObject().(client.Object)
		m.copied = true
	}
}

// reasonIs: the condition typ is True with reason, for generation gen.
func reasonIs(st *v1alpha1.MetadataObjectStatus, gen int64, typ, reason string) bool {
	c := meta.FindStatusCondition(st.Conditions, typ)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == reason && c.ObservedGeneration == gen
}
