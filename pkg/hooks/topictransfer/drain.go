package topictransfer

import (
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// drain is step 5. Its first run records when waiting began (the timeout
// counts from there, across restarts); later runs poll consume stats of
// every group on every source broker that holds the topic. A poll that
// finds everything consumed completes the step even past the timeout:
// rolling back a drained transfer would only undo a safe state. Otherwise,
// once the timeout has passed, the transfer rolls back.
func (r *run) drain() (result, error) {
	st, spec := r.st, &r.in.Spec
	now := r.now()
	if st.Drain == nil {
		st.Drain = &v1alpha1.DrainStatus{StartedAt: now}
		return result{}, nil
	}
	if rest := r.untilNextPoll(now.Time); rest > 0 {
		return result{wait: rest}, nil
	}
	st.LastPollAt = &metav1.MicroTime{Time: now.Time}
	pending, details, err := r.pendingGroups()
	if err != nil {
		if drainTimedOut(spec, st, now.Time) {
			r.beginRollback(v1alpha1.RollbackDrainTimeout, fmt.Sprintf("the drain of topic %q could not be checked within %s: %v",
				spec.Topic, spec.DrainTimeoutOrDefault(), err))
			return result{handled: true}, nil
		}
		return result{}, err
	}
	st.Drain.Polls++
	st.Drain.Pending = pending
	if len(pending) == 0 {
		r.event(false, "Drained", "every group consumed topic %q on the source after %d check(s)", spec.Topic, st.Drain.Polls)
		return result{done: true}, nil
	}
	if drainTimedOut(spec, st, now.Time) {
		r.beginRollback(v1alpha1.RollbackDrainTimeout, fmt.Sprintf("groups %v did not drain topic %q within %s: %s",
			pending, spec.Topic, spec.DrainTimeoutOrDefault(), strings.Join(details, "; ")))
		return result{handled: true}, nil
	}
	st.Message = "waiting for groups to drain the source: " + strings.Join(details, "; ")
	return result{wait: r.m.pollInterval()}, nil
}

// untilNextPoll is how long until the next poll is due: polls are at
// least the poll interval apart, however often Advance is called. After a
// failed poll the backoff decides instead.
func (r *run) untilNextPoll(now time.Time) time.Duration {
	st := r.st
	if st.LastPollAt == nil || st.Attempts > 0 {
		return 0
	}
	return st.LastPollAt.Add(r.m.pollInterval()).Sub(now)
}

// pendingGroups returns the groups that still have messages of the topic
// on a source broker, with a line per group saying what is left.
func (r *run) pendingGroups() ([]string, []string, error) {
	srcMasters, err := masters(r.ctx, r.src)
	if err != nil {
		return nil, nil, fmt.Errorf("checking the drain: %w", err)
	}
	if _, err := r.fenceNewSourceBrokers(srcMasters); err != nil {
		return nil, nil, fmt.Errorf("checking the drain: %w", err)
	}
	if _, err := r.keepSourceReadOnly(srcMasters); err != nil {
		return nil, nil, fmt.Errorf("checking the drain: %w", err)
	}
	var pending, details []string
	for _, g := range r.in.Spec.ConsumerGroups {
		left, err := r.groupLeft(srcMasters, g)
		if err != nil {
			return nil, nil, err
		}
		if left != "" {
			pending = append(pending, g)
			details = append(details, g+": "+left)
		}
	}
	return pending, details, nil
}

// groupLeft says what the group has left on the source, "" when nothing.
func (r *run) groupLeft(srcMasters map[string]string, group string) (string, error) {
	var left []string
	for _, b := range r.st.Snapshot.Topic {
		addr, ok := srcMasters[b.BrokerName]
		if !ok {
			return "", fmt.Errorf("source broker %q of the snapshot has no master now", b.BrokerName)
		}
		stats, err := r.src.Admin.ConsumeStats(r.ctx, addr, group, r.in.Spec.Topic)
		if err != nil {
			return "", fmt.Errorf("checking the drain of group %q: %w", group, err)
		}
		if ok, why := queuesDrained(stats, r.in.Spec.Topic, b.BrokerName, int(b.ReadQueueNums)); !ok {
			left = append(left, why)
		}
	}
	return strings.Join(left, ", "), nil
}
