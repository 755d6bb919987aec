package topictransfer

import (
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// drain is step 5. Its first run records when waiting began (the timeout
// counts from there, across restarts); later runs poll, on every source
// broker that holds the topic, consume stats of every group on the topic
// and on its retry topics, and the broker's backlog of delayed, timer and
// half messages (drainLeft). A poll that finds nothing left starts the POP
// settle period, and the step completes once it has passed with nothing
// found, even past the timeout: rolling back a drained transfer would only
// undo a safe state. Otherwise, once the timeout has passed, the transfer
// rolls back.
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
	left, err := r.drainLeft()
	if err != nil {
		if drainTimedOut(spec, st, now.Time) {
			r.beginRollback(v1alpha1.RollbackDrainTimeout, fmt.Sprintf("the drain of topic %q could not be checked within %s: %v",
				spec.Topic, spec.DrainTimeoutOrDefault(), err))
			return result{handled: true}, nil
		}
		return result{}, err
	}
	st.Drain.Polls++
	st.Drain.Pending, st.Drain.Brokers = left.groups, left.brokers
	if !left.empty() {
		return r.drainWaiting(left, now.Time), nil
	}
	return r.drainSettling(now.Time), nil
}

// drainWaiting handles a poll that found something left: roll back once
// the timeout has passed, else say what is awaited and poll again.
func (r *run) drainWaiting(left *drainLeft, now time.Time) result {
	st, spec := r.st, &r.in.Spec
	st.Drain.SettledSince = nil
	if drainTimedOut(spec, st, now) {
		r.beginRollback(v1alpha1.RollbackDrainTimeout, fmt.Sprintf("topic %q did not drain within %s: %s",
			spec.Topic, spec.DrainTimeoutOrDefault(), left.summary()))
		return result{handled: true}
	}
	st.Message = "waiting for the source to drain: " + left.summary()
	setProgressing(st, r.in.Generation, left.reason(), st.Message)
	return result{wait: r.m.pollInterval()}
}

// drainSettling handles a poll that found nothing left: the step is done
// once nothing was found for the whole POP settle period. The settle
// period may run past the drain timeout (it is bounded by
// spec.popInvisibleTime): cutting it short could delete unacked POP
// messages, and rolling back a drained transfer would undo a safe state.
func (r *run) drainSettling(now time.Time) result {
	st, spec := r.st, &r.in.Spec
	if rest := r.settleLeft(now); rest > 0 {
		st.Message = fmt.Sprintf("every group consumed topic %q on the source; watching %s more for unacked POP messages to come back (spec.popInvisibleTime %s)",
			spec.Topic, rest.Round(time.Millisecond), spec.PopInvisibleTimeOrDefault())
		setProgressing(st, r.in.Generation, v1alpha1.ReasonPopSettling, st.Message)
		return result{wait: min(rest, r.m.pollInterval())}
	}
	r.event(false, "Drained", "every group consumed topic %q on the source after %d check(s)", spec.Topic, st.Drain.Polls)
	return result{done: true}
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
