package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Reasons of scale-in.
const (
	// ReasonGroupRetiring is the Progressing reason while a group removed
	// by a scale-in still has its write permission to wipe or messages to
	// be consumed, or a group brought back its write permission to get.
	ReasonGroupRetiring = "BrokerGroupRetiring"
	// ReasonGroupDrained is the Event of a retiring group turning Drained.
	ReasonGroupDrained = "BrokerGroupDrained"
	// ReasonRetiredDeleted is the Event of the controller deleting a
	// drained group's StatefulSet (retiredGroupPolicy: Delete).
	ReasonRetiredDeleted = "RetiredBrokerGroupDeleted"
	// ReasonRetiredDeleteFailed is the Event of that deletion failing or
	// being refused.
	ReasonRetiredDeleteFailed = "RetiredBrokerGroupDeleteFailed"
	// ReasonGroupRestored is the Event of a group brought back by a
	// scale-out getting its write permission again.
	ReasonGroupRestored = "BrokerGroupWriteRestored"
)

const (
	// DefaultRetireSettle is how long write permission must have been
	// wiped on every NameServer before a group can be Drained: producers
	// refresh routes every 30 s (pollNameServerInterval), and until then
	// one with the old route still writes to the group.
	DefaultRetireSettle = time.Minute
	// DefaultRetireRecheck is how often a retiring group is looked at
	// again: consumers move offsets without any Kubernetes event, and a
	// restarted NameServer or broker brings the write permission back.
	DefaultRetireRecheck = 15 * time.Second
	// maxLagEntries bounds the lag listed per group in status.
	maxLagEntries = 20
)

// retiringNumbers lists the groups at or above spec.broker.groups whose
// StatefulSet or pods still exist, in order.
func retiringNumbers(want *v1alpha1.RocketMQCluster, o *observed) []int32 {
	n := ptrValue(want.Spec.Broker.Groups, 1)
	seen := map[int32]bool{}
	for g, pods := range o.brokers {
		if g >= n && len(pods) > 0 {
			seen[g] = true
		}
	}
	for _, s := range o.sets {
		if s.Labels[v1alpha1.LabelComponent] != v1alpha1.ComponentBroker {
			continue
		}
		g, err := strconv.ParseInt(s.Labels[v1alpha1.LabelBrokerGroup], 10, 32)
		if err == nil && int32(g) >= n {
			seen[int32(g)] = true
		}
	}
	out := make([]int32, 0, len(seen))
	for g := range seen {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// drainInput is what decides whether a retiring group is drained.
type drainInput struct {
	// wipedSince is when write permission was last found wiped on every
	// NameServer without a gap; nil when it is not.
	wipedSince *metav1.Time
	now        time.Time
	settle     time.Duration
	// lagRead: the lag was read from the group's master this time.
	lagRead bool
	// remaining is the sum of the lag read.
	remaining int64
	// wasDrained: the group was Drained at the last look; masterGone: it
	// has no ready master now.
	wasDrained, masterGone bool
}

// drained is the Drained predicate: no NameServer routes writes to the
// group, for long enough that producers hold no older route, and its
// master answered that no consumer group has anything left on it. A lag
// that could not be read is never taken for zero, with one exception: a
// group already Drained whose master is gone (its pods being deleted)
// stays Drained, since without a master it can take no write.
func drained(in drainInput) bool {
	if in.wasDrained && in.masterGone {
		return true
	}
	return in.wipedSince != nil && !in.now.Before(in.wipedSince.Add(in.settle)) && in.lagRead && in.remaining == 0
}

// syncRetiring wipes the write permission of retiring groups on every
// ready NameServer, reads what consumers have left on them, and restores
// the write permission of groups brought back. It fills
// st.RetiringGroups and returns when to look again.
func (r *Reconciler) syncRetiring(ctx context.Context, c, want *v1alpha1.RocketMQCluster, o *observed, cl AdminClient, st *v1alpha1.RocketMQClusterStatus, masters map[int32]master, adminOK bool) (time.Duration, error) {
	n := ptrValue(want.Spec.Broker.Groups, 1)
	prev := make(map[int32]v1alpha1.RetiringGroupStatus, len(c.Status.RetiringGroups))
	for _, g := range c.Status.RetiringGroups {
		prev[g.Group] = g
	}
	nameServers, complete := readyNameServers(o, st)
	now := r.now()
	var out []v1alpha1.RetiringGroupStatus
	var errs []error
	var after time.Duration
	for _, p := range c.Status.RetiringGroups {
		if p.Group >= n {
			continue
		}
		e, err := r.restore(ctx, c, cl, p, nameServers, adminOK)
		errs = append(errs, err)
		if e != nil {
			out = append(out, *e)
			after = sooner(after, r.opts.RetireRecheck)
		}
	}
	for _, g := range retiringNumbers(want, o) {
		e, ok := prev[g]
		if !ok || e.Phase == v1alpha1.RetiringPhaseRestoring {
			e = v1alpha1.RetiringGroupStatus{Phase: v1alpha1.RetiringPhaseRetiring}
		}
		e.Group, e.Name = g, want.BrokerGroupName(g)
		wasDrained := e.Phase == v1alpha1.RetiringPhaseDrained
		err := r.retire(ctx, cl, &e, nameServers, complete, masters[g], adminOK, now)
		errs = append(errs, err)
		if e.Phase == v1alpha1.RetiringPhaseDrained && !wasDrained {
			r.event(c, corev1.EventTypeNormal, ReasonGroupDrained, "ScaleIn", drainedMessage(want, o, g))
		}
		// Deleted only once Drained is in status (the write of it triggers
		// the next reconcile): the judgement is on record before anything
		// is deleted on it, and a status write lost to a conflict does not
		// leave a deletion without one.
		if wasDrained && e.Phase == v1alpha1.RetiringPhaseDrained && want.Spec.Broker.RetiredGroupPolicy == v1alpha1.RetiredGroupDelete {
			errs = append(errs, r.deleteRetired(ctx, c, want, o, g))
		}
		if e.Phase == v1alpha1.RetiringPhaseRetiring && e.WritesWipedSince != nil {
			if left := e.WritesWipedSince.Add(r.opts.RetireSettle).Sub(now); left > 0 {
				after = sooner(after, left)
			}
		}
		after = sooner(after, r.opts.RetireRecheck)
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	st.RetiringGroups = out
	return after, errors.Join(errs...)
}

// retire runs one reconcile's step of a retiring group and sets its phase.
func (r *Reconciler) retire(ctx context.Context, cl AdminClient, e *v1alpha1.RetiringGroupStatus, nameServers []string, complete bool, m master, adminOK bool, now time.Time) error {
	if !adminOK {
		// An invalid spec or missing credentials: nothing is called, and
		// the previous phase stands.
		if e.Message == "" {
			e.Message = "waiting for a valid spec and the admin credentials to wipe write permission"
		}
		return nil
	}
	wipeErr := forEachNameServer(nameServers, func(addr string) error {
		_, err := cl.WipeWritePerm(ctx, addr, e.Name)
		return err
	})
	switch {
	case wipeErr == nil && complete:
		if e.WritesWipedSince == nil {
			e.WritesWipedSince = &metav1.Time{Time: now}
		}
	default:
		// A NameServer that did not answer, or is not ready, may route
		// writes to the group: the settle period starts again once all do.
		e.WritesWipedSince = nil
	}
	var lagErr, callErr error
	lagRead := false
	if m.addr == "" {
		// A state to report, not a failed call to retry.
		lagErr = fmt.Errorf("broker group %s has no ready master to read the lag from", e.Name)
	} else {
		var lag []v1alpha1.GroupLag
		lag, lagErr = groupLag(ctx, cl, m.addr)
		callErr = lagErr
		if lagErr == nil {
			lagRead = true
			e.RemainingMessages = 0
			for _, l := range lag {
				e.RemainingMessages += l.Messages
			}
			if len(lag) > maxLagEntries {
				lag = lag[:maxLagEntries]
			}
			e.Lag = lag
		}
	}
	in := drainInput{wipedSince: e.WritesWipedSince, now: now, settle: r.opts.RetireSettle, lagRead: lagRead, remaining: e.RemainingMessages,
		wasDrained: e.Phase == v1alpha1.RetiringPhaseDrained, masterGone: m.addr == ""}
	if drained(in) {
		e.Phase = v1alpha1.RetiringPhaseDrained
		e.Message = "no writes routed to it and no messages left to consume"
		if !lagRead {
			e.Message = "drained; its master is gone"
		}
		return nil
	}
	e.Phase = v1alpha1.RetiringPhaseRetiring
	switch {
	case wipeErr != nil:
		e.Message = "wiping write permission: " + wipeErr.Error()
	case !complete:
		e.Message = "waiting for every NameServer to be ready to wipe write permission"
	case lagErr != nil:
		e.Message = "lag unknown: " + lagErr.Error()
	case e.RemainingMessages > 0:
		e.Message = fmt.Sprintf("%d messages left to consume", e.RemainingMessages)
	default:
		e.Message = fmt.Sprintf("write permission wiped; waiting until %s for producers to refresh their routes",
			e.WritesWipedSince.Add(r.opts.RetireSettle).UTC().Format(time.RFC3339))
	}
	return errors.Join(wipeErr, callErr)
}

// restore gives a group brought back by a scale-out its write permission
// on every ready NameServer. It returns the entry to keep, nil once done.
func (r *Reconciler) restore(ctx context.Context, c *v1alpha1.RocketMQCluster, cl AdminClient, p v1alpha1.RetiringGroupStatus, nameServers []string, adminOK bool) (*v1alpha1.RetiringGroupStatus, error) {
	p.Phase, p.Lag, p.RemainingMessages, p.WritesWipedSince = v1alpha1.RetiringPhaseRestoring, nil, 0, nil
	if !adminOK {
		p.Message = "waiting to restore write permission"
		return &p, nil
	}
	if len(nameServers) == 0 {
		p.Message = "waiting for a ready NameServer to restore write permission"
		return &p, nil
	}
	err := forEachNameServer(nameServers, func(addr string) error {
		_, err := cl.AddWritePerm(ctx, addr, p.Name)
		return err
	})
	if err != nil {
		p.Message = "restoring write permission: " + err.Error()
		return &p, err
	}
	logf.FromContext(ctx).Info("write permission restored", "brokerGroup", p.Name)
	r.event(c, corev1.EventTypeNormal, ReasonGroupRestored, "ScaleOut",
		fmt.Sprintf("broker group %s is in spec.broker.groups again: write permission restored on %d NameServers", p.Name, len(nameServers)))
	return nil, nil
}

// readyNameServers are the ready NameServer pods' addresses at their pod
// IPs; complete is true when every desired NameServer is among them.
func readyNameServers(o *observed, st *v1alpha1.RocketMQClusterStatus) ([]string, bool) {
	var out []string
	pods := o.pods[v1alpha1.ComponentNameServer]
	for i := range pods {
		if podReady(&pods[i]) && pods[i].Status.PodIP != "" && pods[i].DeletionTimestamp == nil {
			out = append(out, joinHostPort(pods[i].Status.PodIP, v1alpha1.PortNameServer))
		}
	}
	sort.Strings(out)
	desired := int32(0)
	if st.NameServer != nil {
		desired = st.NameServer.Desired
	}
	return out, len(out) > 0 && len(out) == len(pods) && int32(len(out)) >= desired
}

func forEachNameServer(addrs []string, call func(addr string) error) error {
	var errs []error
	for _, a := range addrs {
		errs = append(errs, call(a))
	}
	return errors.Join(errs...)
}

// groupLag reads, for every consumer group the broker knows, the topics
// it has offsets on (GET_CONSUME_STATS without a topic: the broker's
// whichTopicByConsumer, %RETRY% topics included) and what is left to
// consume on each. Only non-zero entries are returned, largest first.
func groupLag(ctx context.Context, cl AdminClient, addr string) ([]v1alpha1.GroupLag, error) {
	groups, err := cl.Groups(ctx, addr)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []v1alpha1.GroupLag
	read := map[string]bool{} // topics some group has offsets on
	for _, g := range names {
		stats, err := cl.ConsumeStats(ctx, addr, g, "")
		if err != nil {
			return nil, err
		}
		byTopic := map[string]int64{}
		for mq, off := range stats.OffsetTable {
			read[mq.Topic] = true
			if d := off.BrokerOffset - off.ConsumerOffset; d > 0 {
				byTopic[mq.Topic] += d
			}
		}
		for topic, n := range byTopic {
			out = append(out, v1alpha1.GroupLag{Topic: topic, ConsumerGroup: g, Messages: n})
		}
	}
	unread, err := unreadTopics(ctx, cl, addr, read)
	if err != nil {
		return nil, err
	}
	out = append(out, unread...)
	bl, err := cl.BrokerBacklog(ctx, addr)
	if err != nil {
		return nil, err
	}
	out = withBacklog(out, bl)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Messages != b.Messages {
			return a.Messages > b.Messages
		}
		if a.Topic != b.Topic {
			return a.Topic < b.Topic
		}
		return a.ConsumerGroup < b.ConsumerGroup
	})
	return out, nil
}

// unreadTopics finds the messages no consumer group has an offset for:
// topics with messages (max offset above min offset on some queue) that
// no group of the consume-stats pass has ever committed on. A group that
// has not consumed yet has no offsets, so GET_CONSUME_STATS without a
// topic (whichTopicByConsumer) cannot see its lag; deleting the broker
// would lose what it never read. System topics are the broker's own;
// %DLQ% topics hold dead letters nobody is expected to consume, which stay
// on the group's PersistentVolumeClaims (never deleted by the controller).
func unreadTopics(ctx context.Context, cl AdminClient, addr string, read map[string]bool) ([]v1alpha1.GroupLag, error) {
	topics, err := cl.Topics(ctx, addr)
	if err != nil {
		return nil, err
	}
	var out []v1alpha1.GroupLag
	for name := range topics {
		if read[name] || admin.IsSystemTopic(name) || strings.HasPrefix(name, "%DLQ%") {
			continue
		}
		stats, err := cl.TopicStats(ctx, addr, name)
		if errors.Is(err, admin.ErrTopicNotExist) {
			continue // deleted since the list was read
		}
		if err != nil {
			return nil, err
		}
		var n int64
		for _, o := range stats.OffsetTable {
			n += max(0, o.MaxOffset-o.MinOffset)
		}
		if n > 0 {
			out = append(out, v1alpha1.GroupLag{Topic: name, Messages: n})
		}
	}
	return out, nil
}

// pvcLabels are the labels the StatefulSet controller gives a group's
// claims: the StatefulSet's selector (the volume claim template has none).
func pvcLabels(want *v1alpha1.RocketMQCluster, o *observed, g int32) map[string]string {
	if s := o.sets[want.BrokerGroupName(g)]; s != nil && s.Spec.Selector != nil && len(s.Spec.Selector.MatchLabels) > 0 {
		return s.Spec.Selector.MatchLabels
	}
	return want.SelectorLabels(v1alpha1.ComponentBroker, g)
}

// drainedMessage names the StatefulSet and PVCs a drained group leaves
// and the command that deletes them. The StatefulSet controller labels
// each claim with the StatefulSet's selector, which carries the group.
func drainedMessage(want *v1alpha1.RocketMQCluster, o *observed, g int32) string {
	name := want.BrokerGroupName(g)
	sel := pvcLabels(want, o, g)
	return fmt.Sprintf("broker group %s is drained: no NameServer routes writes to it and no consumer group has messages left on it. "+
		"StatefulSet %s and its PVCs (store-%s-<ordinal>) may now be deleted: kubectl -n %s delete statefulset %s && kubectl -n %s delete pvc -l %s",
		name, name, name, want.Namespace, name, want.Namespace, labels.SelectorFromSet(sel).String())
}

// deleteRetired deletes a drained group's StatefulSet
// (retiredGroupPolicy: Delete). It is no longer rendered, so no GitOps
// engine wants it back. Its claims stay: the rendered retention policy
// keeps them when the StatefulSet goes, and a StatefulSet whose policy
// would delete them is left alone. The delete is preconditioned on the
// UID and resourceVersion the controller judged, so a StatefulSet
// recreated or changed since is not deleted on an old judgement.
func (r *Reconciler) deleteRetired(ctx context.Context, c, want *v1alpha1.RocketMQCluster, o *observed, g int32) error {
	name := want.BrokerGroupName(g)
	s := o.sets[name]
	if s == nil || !s.DeletionTimestamp.IsZero() {
		return nil
	}
	if p := s.Spec.PersistentVolumeClaimRetentionPolicy; p != nil && p.WhenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
		r.event(c, corev1.EventTypeWarning, ReasonRetiredDeleteFailed, "ScaleIn",
			fmt.Sprintf("StatefulSet %s is not deleted: its persistentVolumeClaimRetentionPolicy.whenDeleted is Delete, which would delete its PVCs", name))
		return nil
	}
	uid, rv := s.UID, s.ResourceVersion
	err := r.client.Delete(ctx, s, client.Preconditions{UID: &uid, ResourceVersion: &rv}, client.PropagationPolicy(metav1.DeletePropagationBackground))
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case apierrors.IsConflict(err):
		// Changed since it was judged: the next reconcile judges again.
		return nil
	case err != nil:
		r.event(c, corev1.EventTypeWarning, ReasonRetiredDeleteFailed, "ScaleIn", fmt.Sprintf("deleting StatefulSet %s: %v", name, err))
		return fmt.Errorf("while deleting StatefulSet %s of drained broker group %d: %w", name, g, err)
	}
	logf.FromContext(ctx).Info("deleted the StatefulSet of a drained broker group", "statefulSet", name)
	r.event(c, corev1.EventTypeNormal, ReasonRetiredDeleted, "ScaleIn",
		fmt.Sprintf("deleted StatefulSet %s of drained broker group %d (retiredGroupPolicy: Delete); its PVCs are kept: kubectl -n %s delete pvc -l %s",
			name, g, want.Namespace, labels.SelectorFromSet(pvcLabels(want, o, g)).String()))
	return nil
}
