package cluster

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/metadatacopy"
)

// Condition reasons.
const (
	ReasonReady              = "Ready"
	ReasonRollingUpdate      = "RollingUpdate"
	ReasonPodsNotReady       = "PodsNotReady"
	ReasonMetadataCopying    = "MetadataCopying"
	ReasonNameServerUpdating = "NameServerAddressesUpdating"
	ReasonMasterLost         = "BrokerMasterLost"
	ReasonNameServersDown    = "NameServersDown"
	ReasonMetadataFailed     = "MetadataCopyFailed"
	ReasonAdminUnavailable   = "AdminCredentialsUnavailable"
	ReasonInvalidSpec        = "InvalidSpec"
	ReasonNotDegraded        = "AsExpected"
	ReasonNotProgressing     = "Idle"
	ReasonSpecRendered       = "SpecRendered"
	ReasonSpecNotRendered    = "SpecNotRendered"
	ReasonRenderNotRecorded  = "RenderNotRecorded"
)

// setRenderStale compares the live spec with the spec krm-fn rendered the
// objects from (v1alpha1.AnnotationRenderedSpecHash). Both sides hash with
// v1alpha1's SpecHash, which defaults first, so the API server's CRD
// defaults do not count as a change.
func setRenderStale(st *v1alpha1.RocketMQClusterStatus, c *v1alpha1.RocketMQCluster) {
	cond := metav1.Condition{Type: v1alpha1.ConditionRenderStale, ObservedGeneration: c.Generation}
	recorded := c.Annotations[v1alpha1.AnnotationRenderedSpecHash]
	current, err := c.SpecHash()
	switch {
	case err != nil:
		cond.Status, cond.Reason, cond.Message = metav1.ConditionUnknown, ReasonRenderNotRecorded, err.Error()
	case recorded == "":
		cond.Status, cond.Reason = metav1.ConditionUnknown, ReasonRenderNotRecorded
		cond.Message = "no " + v1alpha1.AnnotationRenderedSpecHash + " annotation: the cluster was not applied from a krm-fn render, so whether its objects match the spec is unknown"
	case recorded != current:
		cond.Status, cond.Reason = metav1.ConditionTrue, ReasonSpecNotRendered
		cond.Message = fmt.Sprintf("the spec (hash %.12s) is not the one the objects were rendered from (%s %.12s): "+
			"a kustomize layer patched the spec without listing the krm-fn function as a transformer, or the cluster was edited in place; "+
			"the running objects follow the old spec", current, v1alpha1.AnnotationRenderedSpecHash, recorded)
	default:
		cond.Status, cond.Reason = metav1.ConditionFalse, ReasonSpecRendered
		cond.Message = "the objects were rendered from this spec"
	}
	meta.SetStatusCondition(&st.Conditions, cond)
}

// components fills the per-component replica counts. want is the
// defaulted spec.
func components(want *v1alpha1.RocketMQCluster, o *observed, st *v1alpha1.RocketMQClusterStatus) {
	count := func(desired *int32, comp string) *v1alpha1.ComponentStatus {
		d := int32(0)
		if desired != nil {
			d = *desired
		}
		return &v1alpha1.ComponentStatus{Desired: d, Ready: readyCount(o.pods[comp])}
	}
	st.NameServer = count(want.Spec.NameServer.Replicas, v1alpha1.ComponentNameServer)
	st.Controller, st.Proxy, st.Dashboard = nil, nil, nil
	if want.Spec.Broker.Mode == v1alpha1.BrokerModeController && want.Spec.Controller != nil {
		st.Controller = count(want.Spec.Controller.Replicas, v1alpha1.ComponentController)
	}
	if want.Spec.Proxy.Enabled {
		st.Proxy = count(want.Spec.Proxy.Replicas, v1alpha1.ComponentProxy)
	}
	if want.Spec.Dashboard.Enabled {
		st.Dashboard = count(want.Spec.Dashboard.Replicas, v1alpha1.ComponentDashboard)
	}
}

// brokerGroups builds one entry per desired group, keeping the metadata
// progress of the previous status. Groups removed by a scale-in drop out.
func brokerGroups(want *v1alpha1.RocketMQCluster, o *observed, masters map[int32]master, prev []v1alpha1.BrokerGroupStatus) []v1alpha1.BrokerGroupStatus {
	byGroup := make(map[int32]v1alpha1.BrokerGroupStatus, len(prev))
	for _, g := range prev {
		byGroup[g.Group] = g
	}
	n := ptrValue(want.Spec.Broker.Groups, 1)
	out := make([]v1alpha1.BrokerGroupStatus, 0, n)
	for g := int32(0); g < n; g++ {
		e := byGroup[g]
		e.Group = g
		e.Name = want.BrokerGroupName(g)
		e.Desired = ptrValue(want.Spec.Broker.ReplicasPerGroup, 1)
		e.Ready = readyCount(o.brokers[g])
		e.Master = masters[g].name
		out = append(out, e)
	}
	return out
}

// podsReady reports whether every component and group has all its desired
// pods ready and every group a master; the reason lists what is missing.
func podsReady(st *v1alpha1.RocketMQClusterStatus) (bool, string) {
	var missing []string
	check := func(name string, c *v1alpha1.ComponentStatus) {
		if c != nil && c.Ready < c.Desired {
			missing = append(missing, fmt.Sprintf("%s %d/%d", name, c.Ready, c.Desired))
		}
	}
	check("nameserver", st.NameServer)
	check("controller", st.Controller)
	check("proxy", st.Proxy)
	check("dashboard", st.Dashboard)
	for _, g := range st.BrokerGroups {
		switch {
		case g.Ready < g.Desired:
			missing = append(missing, fmt.Sprintf("%s %d/%d", g.Name, g.Ready, g.Desired))
		case g.Master == "":
			missing = append(missing, g.Name+" has no master")
		}
	}
	if len(missing) == 0 {
		return true, ""
	}
	return false, "not ready: " + strings.Join(missing, ", ")
}

// health is the outcome the conditions report. Several reasons can hold
// at once; the conditions show the most basic one (a rollout before pods
// before metadata before NameServer propagation), since it usually
// explains the others. Stalled is the part of Degraded that needs a human.
type health struct {
	degradedReason, degradedMsg       string
	stalledReason, stalledMsg         string
	progressingReason, progressingMsg string
}

var progressRank = map[string]int{
	ReasonRollingUpdate: 0, ReasonMasterLost: 1, ReasonNameServersDown: 1, ReasonPodsNotReady: 2,
	ReasonMetadataCopying: 3, ReasonNameServerUpdating: 4, ReasonGroupRetiring: 5, ReasonCredentialsRotating: 6,
}

// needsHuman are the Degraded reasons that do not heal by waiting: the
// spec or Secret must be fixed, a failed copy looked at, a master that
// stayed away past the grace period brought back. NameServersDown is
// Degraded without being Stalled: every NameServer pod restarting at once
// (one replica, a node drain) usually comes back by itself.
var needsHuman = map[string]bool{
	ReasonInvalidSpec: true, ReasonAdminUnavailable: true, ReasonMetadataFailed: true, ReasonMasterLost: true,
	ReasonCredentialsRefused: true,
}

func (h *health) degrade(reason, msg string) {
	if h.degradedReason == "" {
		h.degradedReason, h.degradedMsg = reason, msg
	}
	if needsHuman[reason] && h.stalledReason == "" {
		h.stalledReason, h.stalledMsg = reason, msg
	}
}

func (h *health) progress(reason, msg string) {
	if h.progressingReason == "" || progressRank[reason] < progressRank[h.progressingReason] {
		h.progressingReason, h.progressingMsg = reason, msg
	}
}

// judgeInput is what judge reads besides status.
type judgeInput struct {
	now time.Time
	// grace is how long a group may lack a master outside a rollout.
	grace time.Duration
	// rollout describes what is being replaced, "" when nothing is.
	rollout string
}

// judge decides Degraded and Progressing from the status. Once the cluster
// has been ready (its groups carry metadata states), a group without a
// master or NameServers all down is damage, not a first start; but while
// a StatefulSet rolls or a pod is replaced it is the rollout, and a master
// missing outside one gets a grace period first. judge returns when a
// grace period ends (zero: none running), to look again then.
func judge(st *v1alpha1.RocketMQClusterStatus, h *health, in judgeInput) time.Duration {
	if in.rollout != "" {
		h.progress(ReasonRollingUpdate, in.rollout)
	}
	baselined := metadatacopy.Baselined(st.BrokerGroups)
	var wake time.Duration
	for _, g := range st.BrokerGroups {
		switch {
		case g.Metadata == v1alpha1.MetadataFailed:
			h.degrade(ReasonMetadataFailed, fmt.Sprintf("metadata copy onto %s failed: %s", g.Name, g.MetadataMessage))
		case baselined && metadatacopy.Settled(g.Metadata) && g.Master == "":
			wake = sooner(wake, judgeMasterLoss(g, h, in))
		}
	}
	if baselined && st.NameServer != nil && st.NameServer.Desired > 0 && st.NameServer.Ready == 0 {
		if in.rollout != "" {
			h.progress(ReasonNameServersDown, "no NameServer pod is ready")
		} else {
			h.degrade(ReasonNameServersDown, "no NameServer pod is ready")
		}
	}
	if ok, msg := podsReady(st); !ok {
		h.progress(ReasonPodsNotReady, msg)
	}
	for _, g := range st.BrokerGroups {
		if !metadatacopy.Settled(g.Metadata) && g.Metadata != v1alpha1.MetadataFailed {
			h.progress(ReasonMetadataCopying, fmt.Sprintf("metadata of broker group %s is %s", g.Name, stateName(g.Metadata)))
		}
	}
	judgeRetiring(st, h)
	return wake
}

// judgeMasterLoss reports a group without a ready master: Progressing
// during a rollout or the grace period, Degraded after it. The messages
// carry times, not durations, so that status does not change on every
// reconcile. It returns the time left of the grace period.
func judgeMasterLoss(g v1alpha1.BrokerGroupStatus, h *health, in judgeInput) time.Duration {
	since := in.now
	if g.MasterLostSince != nil {
		since = g.MasterLostSince.Time
	}
	sinceText := since.UTC().Format(time.RFC3339)
	left := since.Add(in.grace).Sub(in.now)
	switch {
	case in.rollout != "":
		// The rollout is the reason. A StatefulSet finishing its roll
		// triggers the next look, but a terminating pod that gets stuck
		// stops counting as a rollout without any event: look again then.
		return in.grace
	case left > 0:
		h.progress(ReasonMasterLost, fmt.Sprintf("broker group %s has had no ready master since %s; Degraded if none by %s",
			g.Name, sinceText, since.Add(in.grace).UTC().Format(time.RFC3339)))
		return left
	default:
		h.degrade(ReasonMasterLost, fmt.Sprintf("broker group %s has had no ready master since %s", g.Name, sinceText))
		return 0
	}
}

// judgeRetiring reports groups removed by a scale-in. A retiring group
// never makes the cluster Degraded: it is leaving on purpose, and a master
// it lacks or pods it loses are no loss to the desired cluster. While it
// still takes writes or holds unconsumed messages the scale-in is under
// way, so the cluster is Progressing and not Ready: clients must still
// read from it, and deleting it then would lose messages. Once Drained the
// cluster may be Ready again: the group is inert, and deleting its
// StatefulSet is a human's step that
// Ready must not wait on for ever. A group brought back whose write
// permission is not yet restored is Progressing too: producers cannot
// write to it.
func judgeRetiring(st *v1alpha1.RocketMQClusterStatus, h *health) {
	for _, g := range st.RetiringGroups {
		switch g.Phase {
		case v1alpha1.RetiringPhaseDrained:
		case v1alpha1.RetiringPhaseRestoring:
			h.progress(ReasonGroupRetiring, fmt.Sprintf("broker group %s is back: %s", g.Name, g.Message))
		default:
			h.progress(ReasonGroupRetiring, fmt.Sprintf("broker group %s is retiring: %s", g.Name, g.Message))
		}
	}
}

func stateName(s v1alpha1.MetadataState) string {
	if s == "" {
		return "not decided until the cluster is first ready"
	}
	return string(s)
}

// setConditions writes Ready, Progressing, Degraded and the kstatus pair
// Reconciling and Stalled, each stamped with the generation they describe.
// Reconciling is True while the cluster progresses, and also for damage
// that heals by waiting, so that kstatus never reads it as Current;
// Stalled is True only for what needs a human, and then Reconciling is
// False: kstatus reads Reconciling first, and waiting would not help.
func setConditions(st *v1alpha1.RocketMQClusterStatus, gen int64, h health) {
	set := func(typ string, ok bool, reason, msg string) {
		s := metav1.ConditionFalse
		if ok {
			s = metav1.ConditionTrue
		}
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{
			Type: typ, Status: s, Reason: reason, Message: msg, ObservedGeneration: gen,
		})
	}
	degraded := h.degradedReason != ""
	progressing := h.progressingReason != ""
	stalled := h.stalledReason != ""
	set(v1alpha1.ConditionDegraded, degraded, or(h.degradedReason, ReasonNotDegraded), h.degradedMsg)
	set(v1alpha1.ConditionProgressing, progressing, or(h.progressingReason, ReasonNotProgressing), h.progressingMsg)
	set(v1alpha1.ConditionStalled, stalled, or(h.stalledReason, ReasonNotDegraded), h.stalledMsg)
	switch {
	case stalled:
		set(v1alpha1.ConditionReconciling, false, h.stalledReason, "stalled: "+h.stalledMsg)
	case progressing:
		set(v1alpha1.ConditionReconciling, true, h.progressingReason, h.progressingMsg)
	case degraded:
		set(v1alpha1.ConditionReconciling, true, h.degradedReason, h.degradedMsg)
	default:
		set(v1alpha1.ConditionReconciling, false, ReasonNotProgressing, "")
	}
	switch {
	case degraded:
		set(v1alpha1.ConditionReady, false, h.degradedReason, h.degradedMsg)
	case progressing:
		set(v1alpha1.ConditionReady, false, h.progressingReason, h.progressingMsg)
	default:
		set(v1alpha1.ConditionReady, true, ReasonReady, fmt.Sprintf("%d broker groups and every component ready", len(st.BrokerGroups)))
	}
	st.ObservedGeneration = gen
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func ptrValue(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

func joinHostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
