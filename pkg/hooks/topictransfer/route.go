package topictransfer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// adoptSourceBrokers asks every source master the snapshot does not list
// whether it holds the topic now, and adds each one that does to the
// snapshot. A source broker group can gain the topic after step 2: a
// scale-out's metadata copy that ran before it saw this transfer, or a
// user creating the topic there. Steps 4 to 6 and the rollback all work
// from the snapshot, so an adopted broker is made read-only, drained,
// deleted from and restored like the others; without this its queues
// would take writes until step 6 and keep the route alive afterwards.
//
// The broker itself is asked, not the route: a broker registers a new
// topic with the NameServers only on its next registration, and the
// messages are on the broker either way.
func (r *run) adoptSourceBrokers(srcMasters map[string]string) ([]string, error) {
	var adopted []string
	for _, bn := range sortedNames(srcMasters) {
		if r.inSnapshot(bn) {
			continue
		}
		tc, err := r.src.Admin.Topic(r.ctx, srcMasters[bn], r.in.Spec.Topic)
		if errors.Is(err, admin.ErrTopicNotExist) {
			continue
		}
		if err != nil {
			return adopted, fmt.Errorf("looking for topic %q on source broker %s: %w", r.in.Spec.Topic, bn, err)
		}
		b := toBrokerTopicConfig(bn, tc)
		// The perm the topic had everywhere before the transfer, not the
		// one found: a copy taken after step 4 carries the read-only perm,
		// and a rollback must make the topic writable there too.
		b.Perm = r.st.Snapshot.Topic[0].Perm
		r.st.Snapshot.Topic = append(r.st.Snapshot.Topic, b)
		adopted = append(adopted, bn)
	}
	if len(adopted) > 0 {
		r.event(true, "SourceBrokerAdopted", "source broker(s) %s gained topic %q after the snapshot; the transfer covers them too",
			strings.Join(adopted, ", "), r.in.Spec.Topic)
	}
	return adopted, nil
}

func (r *run) inSnapshot(brokerName string) bool {
	return slices.ContainsFunc(r.st.Snapshot.Topic, func(b v1alpha1.BrokerTopicConfig) bool { return b.BrokerName == brokerName })
}

// fenceNewSourceBrokers adopts source brokers that gained the topic after
// the snapshot and makes the topic read-only on them, as step 4 did on the
// others. Steps 5 and 6 call it before they look at the source.
func (r *run) fenceNewSourceBrokers(srcMasters map[string]string) ([]string, error) {
	adopted, err := r.adoptSourceBrokers(srcMasters)
	if err != nil {
		return nil, err
	}
	for _, bn := range adopted {
		if err := r.makeReadOnlyOn(srcMasters[bn], r.snapshotOf(bn)); err != nil {
			return nil, err
		}
	}
	return adopted, nil
}

func (r *run) snapshotOf(brokerName string) v1alpha1.BrokerTopicConfig {
	i := slices.IndexFunc(r.st.Snapshot.Topic, func(b v1alpha1.BrokerTopicConfig) bool { return b.BrokerName == brokerName })
	return r.st.Snapshot.Topic[i]
}

// drainLateBrokers is step 6's guard against writes that reached the
// source after the last drain poll: a source broker that gained the topic,
// or a master elected since then that has the writable config again
// (keepSourceReadOnly). Either is fenced, and step 6 waits (recording the
// groups in status.drain.pending) until every group consumed what is
// there, however long that takes, since step 6 only rolls forward. It
// returns how long to wait, 0 when step 6 may go on.
func (r *run) drainLateBrokers(srcMasters map[string]string) (time.Duration, error) {
	adopted, err := r.fenceNewSourceBrokers(srcMasters)
	if err != nil {
		return 0, fmt.Errorf("deleting from the source: %w", err)
	}
	refenced, err := r.keepSourceReadOnly(srcMasters)
	if err != nil {
		return 0, fmt.Errorf("deleting from the source: %w", err)
	}
	if len(adopted) == 0 && !refenced && (r.st.Drain == nil || len(r.st.Drain.Pending)+len(r.st.Drain.Brokers) == 0) {
		return 0, nil
	}
	left, err := r.drainLeft()
	if err != nil {
		return 0, fmt.Errorf("deleting from the source: %w", err)
	}
	if r.st.Drain == nil {
		r.st.Drain = &v1alpha1.DrainStatus{StartedAt: r.now()}
	}
	r.st.Drain.Pending, r.st.Drain.Brokers = left.groups, left.brokers
	if left.empty() {
		return 0, nil
	}
	r.st.Message = "waiting for what reached the source after the drain: " + left.summary()
	return r.m.pollInterval(), nil
}
