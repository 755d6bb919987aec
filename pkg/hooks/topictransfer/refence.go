package topictransfer

import (
	"errors"
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// keepSourceReadOnly makes sure, before a drain poll reads consume stats,
// that the topic is still read-only on the current master of every source
// broker of the snapshot, and makes it read-only again where it is not.
// Step 4 changed the masters of that moment; a slave elected master later
// (Controller mode) has the config its SlaveSynchronize last copied, every
// 10 s, so a failover soon after step 4 brings the writable config back,
// and so does a manual mqadmin updateTopic. Producers then write to the
// source again, and whatever they wrote after the last poll would be
// deleted by step 6. Fencing before the stats are read makes the poll
// count what was written there. A master without the topic (its slave
// never copied it) has nothing to fence: the poll reports its queues
// missing. It reports whether it had to fence any broker again.
func (r *run) keepSourceReadOnly(srcMasters map[string]string) (bool, error) {
	topic := r.in.Spec.Topic
	refenced := false
	for _, b := range r.st.Snapshot.Topic {
		addr, ok := srcMasters[b.BrokerName]
		if !ok {
			continue // the stats check reports a broker without master
		}
		tc, err := r.src.Admin.Topic(r.ctx, addr, topic)
		if errors.Is(err, admin.ErrTopicNotExist) {
			continue
		}
		if err != nil {
			return refenced, fmt.Errorf("checking that topic %q is still read-only on source broker %s: %w", topic, b.BrokerName, err)
		}
		if tc.Perm&admin.PermWrite == 0 {
			continue
		}
		if err := r.makeReadOnlyOn(addr, b); err != nil {
			return refenced, err
		}
		refenced = true
		r.event(true, "SourceWritableAgain", "topic %q was writable again on source broker %s (perm %d: a master elected "+
			"before it copied the read-only config, or a manual change); made read-only again, and its messages are waited for",
			topic, b.BrokerName, tc.Perm)
	}
	return refenced, nil
}
