// Package metadatacopy gives a broker group added by a scale-out the topics
// and consumer groups of the cluster's source group. It is a step machine
// whose whole progress is the group's entry in RocketMQCluster status, so a
// controller killed mid-copy resumes from status and, because the copy
// itself only creates what the target lacks, copies only what is missing.
//
//	""/Pending ──masters ready──► Copying ──ok──► Synced
//	                                 │
//	                                 └─error──► Failed ──backoff──► Copying
package metadatacopy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Copier is the part of the RocketMQ admin client this package needs;
// *admin.Client implements it.
type Copier interface {
	CopyMetadataWith(ctx context.Context, from, to string, opts admin.CopyOptions) (admin.CopyResult, error)
}

// Event reasons.
const (
	ReasonWaiting = "MetadataCopyWaiting"
	ReasonStarted = "MetadataCopyStarted"
	ReasonSynced  = "MetadataCopied"
	ReasonFailed  = "MetadataCopyFailed"
	ReasonRetry   = "MetadataCopyRetry"
	ReasonResumed = "MetadataCopyResumed"
)

// Input is what one step looks at.
type Input struct {
	// Group is the group's current status entry.
	Group v1alpha1.BrokerGroupStatus
	// Source is the source group master's host:port, empty while it is not
	// ready.
	Source string
	// Target is this group's master host:port, empty while it is not ready.
	Target string
	// Now is the reconcile's clock reading.
	Now time.Time
	// SpreadOrderedTopics is spec.broker.metadataCopy.spreadOrderedTopics.
	SpreadOrderedTopics bool
	// HeldTopics maps each topic an unfinished TopicTransfer is moving off
	// this cluster to that transfer (namespace/name). They are not copied.
	HeldTopics map[string]string
}

// Event is a decision worth telling the user.
type Event struct {
	Type    string
	Reason  string
	Message string
}

// Outcome is the result of one step.
type Outcome struct {
	// Group is the next status entry.
	Group v1alpha1.BrokerGroupStatus
	// Requeue asks for another step right after status is written; it is
	// set when the step recorded Copying and the copy itself is next.
	Requeue bool
	// RequeueAfter is the wait before the next step (backoff after a
	// failure); zero means wait for a watch event.
	RequeueAfter time.Duration
	// Event, when set, should be recorded on the cluster.
	Event *Event
}

// Step advances the group by at most one transition that talks to a broker.
// Entering Copying is its own step so that the state is in the API server
// before the first metadata is written: a restart then knows a copy was
// under way.
func Step(ctx context.Context, cp Copier, in Input, b Backoff) Outcome {
	g := in.Group
	switch g.Metadata {
	case "", v1alpha1.MetadataPending:
		return pending(in)
	case v1alpha1.MetadataCopying:
		return copying(ctx, cp, in, b)
	case v1alpha1.MetadataFailed:
		return failed(in, b)
	case v1alpha1.MetadataSynced:
		if Resumable(g, in.HeldTopics) && in.Source != "" && in.Target != "" {
			return start(in, ReasonResumed, fmt.Sprintf("no TopicTransfer holds %s any more; copying again onto %s",
				strings.Join(released(g.MetadataHeld, in.HeldTopics), ", "), g.Name))
		}
		return Outcome{Group: g}
	default: // Initial is final.
		return Outcome{Group: g}
	}
}

// Resumable reports whether a Synced group left out a topic that no
// unfinished TopicTransfer holds any more, so the copy must run again (it
// sends only what the group lacks, and holds back what is still held).
func Resumable(g v1alpha1.BrokerGroupStatus, held map[string]string) bool {
	if g.Metadata != v1alpha1.MetadataSynced {
		return false
	}
	return slices.ContainsFunc(g.MetadataHeld, func(topic string) bool { _, ok := held[topic]; return !ok })
}

func pending(in Input) Outcome {
	g := in.Group
	if in.Source == "" || in.Target == "" {
		changed := g.Metadata != v1alpha1.MetadataPending
		g.Metadata = v1alpha1.MetadataPending
		g.MetadataMessage = waitingFor(in)
		out := Outcome{Group: g}
		if changed {
			out.Event = &Event{corev1.EventTypeNormal, ReasonWaiting,
				fmt.Sprintf("broker group %s is new; metadata copy %s", g.Name, g.MetadataMessage)}
		}
		return out
	}
	return start(in, ReasonStarted, fmt.Sprintf("copying topics and consumer groups from %s onto new broker group %s", in.Source, g.Name))
}

func waitingFor(in Input) string {
	switch {
	case in.Source == "" && in.Target == "":
		return "waits for the source and target masters to be ready"
	case in.Source == "":
		return "waits for the source master to be ready"
	default:
		return "waits for the group's master to be ready"
	}
}

func start(in Input, reason, msg string) Outcome {
	g := in.Group
	g.Metadata = v1alpha1.MetadataCopying
	g.MetadataMessage = ""
	g.MetadataAttempts++
	g.LastMetadataAttempt = &metav1.Time{Time: in.Now}
	return Outcome{Group: g, Requeue: true, Event: &Event{corev1.EventTypeNormal, reason, msg}}
}

func copying(ctx context.Context, cp Copier, in Input, b Backoff) Outcome {
	g := in.Group
	if in.Source == "" || in.Target == "" {
		// Stay in Copying: the copy resumes once both masters are back.
		return Outcome{Group: g}
	}
	// The attempt starts now, not when Copying was recorded: the backoff
	// after a failure counts from here.
	g.LastMetadataAttempt = &metav1.Time{Time: in.Now}
	res, err := cp.CopyMetadataWith(ctx, in.Source, in.Target, copyOptions(in))
	if err != nil {
		g.Metadata = v1alpha1.MetadataFailed
		g.MetadataMessage = fmt.Sprintf("attempt %d: %v", g.MetadataAttempts, err)
		wait := b.Delay(g.MetadataAttempts)
		return Outcome{Group: g, RequeueAfter: wait, Event: &Event{corev1.EventTypeWarning, ReasonFailed,
			fmt.Sprintf("metadata copy onto %s failed (%s); retrying in %s", g.Name, g.MetadataMessage, wait)}}
	}
	g.Metadata = v1alpha1.MetadataSynced
	g.MetadataMessage = ""
	g.MetadataSkipped = res.TopicsOrderedSkipped
	g.MetadataHeld = res.TopicsHeld
	return Outcome{Group: g, Event: &Event{corev1.EventTypeNormal, ReasonSynced,
		fmt.Sprintf("broker group %s has the metadata of %s: %s", g.Name, in.Source, Summary(res))}}
}

// released lists the topics of was that held no longer has.
func released(was []string, held map[string]string) []string {
	var out []string
	for _, topic := range was {
		if _, ok := held[topic]; !ok {
			out = append(out, topic)
		}
	}
	return out
}

func copyOptions(in Input) admin.CopyOptions {
	opts := admin.CopyOptions{SpreadOrderedTopics: in.SpreadOrderedTopics}
	if len(in.HeldTopics) > 0 {
		opts.HoldTopics = make(map[string]bool, len(in.HeldTopics))
		for topic := range in.HeldTopics {
			opts.HoldTopics[topic] = true
		}
	}
	return opts
}

func failed(in Input, b Backoff) Outcome {
	g := in.Group
	if g.LastMetadataAttempt != nil {
		due := storedTimeCeil(g.LastMetadataAttempt.Time).Add(b.Delay(g.MetadataAttempts))
		if wait := due.Sub(in.Now); wait > 0 {
			return Outcome{Group: g, RequeueAfter: wait}
		}
	}
	if in.Source == "" || in.Target == "" {
		return Outcome{Group: g}
	}
	return start(in, ReasonRetry, fmt.Sprintf("retrying the metadata copy onto %s (attempt %d)", g.Name, g.MetadataAttempts+1))
}

// storedTimeCeil rounds a time read back from status up to the next second:
// metav1.Time keeps whole seconds in the API server, so the attempt really
// started up to a second after the stored value. Rounding up makes a retry
// never come early, at most a second late.
func storedTimeCeil(t time.Time) time.Time {
	if t.Nanosecond() == 0 {
		return t.Add(time.Second)
	}
	return t
}
