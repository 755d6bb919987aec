package metadatacopy

import (
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// Summary is a one-line account of a copy, with counts rather than names
// so that an Event stays short on a broker with thousands of topics.
func Summary(r admin.CopyResult) string {
	s := fmt.Sprintf("topics %d created, %d updated, %d already present; consumer groups %d created, %d updated, %d already present",
		len(r.TopicsCreated), len(r.TopicsUpdated), r.TopicsUnchanged,
		len(r.GroupsCreated), len(r.GroupsUpdated), r.GroupsUnchanged)
	if n := len(r.TopicsOrderedSkipped); n > 0 {
		s += fmt.Sprintf("; %d ordered or FIFO topic(s) not spread (status lists them)", n)
	}
	if n := len(r.TopicsHeld); n > 0 {
		s += fmt.Sprintf("; %d topic(s) held back while a TopicTransfer moves them off this cluster (status.brokerGroups[].metadataHeld)", n)
	}
	return s
}
