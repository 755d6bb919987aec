package renderdiff

// Action says what happened to an object between the two renders.
type Action string

// Actions.
const (
	Added   Action = "added"
	Removed Action = "removed"
	Changed Action = "changed"
)

// ObjectChange is one object that differs.
type ObjectChange struct {
	ID     ID
	Action Action
	// Fields lists the differing leaves of a changed object.
	Fields []FieldChange
	// Old and New are the objects as rendered (nil on the missing side).
	Old, New Object
}

// Report is the comparison of two renders of one overlay.
type Report struct {
	// Changes in kind/namespace/name order.
	Changes []ObjectChange
	// Summary holds one sentence per change a reviewer should not miss:
	// the RocketMQCluster's own changes first, then the others in the
	// order of Changes; warnings start with "WARNING:".
	Summary []string
	// Refused lists the changes the API server refuses (the CRDs' rules on
	// RocketMQTopic and RocketMQConsumerGroup: queues shrinking, a message
	// type, name or cluster changing): applying the head would fail.
	Refused []string
	// Unchanged counts objects identical in both renders.
	Unchanged int
}

// Count returns how many objects were added, removed and changed.
func (r Report) Count() (added, removed, changed int) {
	for _, c := range r.Changes {
		switch c.Action {
		case Added:
			added++
		case Removed:
			removed++
		case Changed:
			changed++
		}
	}
	return added, removed, changed
}

// Empty is true when both renders hold the same objects.
func (r Report) Empty() bool { return len(r.Changes) == 0 }

// Diff compares the old and new renders of one overlay.
func Diff(oldObjs, newObjs []Object) (Report, error) {
	oi, err := index(oldObjs)
	if err != nil {
		return Report{}, err
	}
	ni, err := index(newObjs)
	if err != nil {
		return Report{}, err
	}
	var r Report
	// What the author edited (the RocketMQCluster) leads the summary,
	// followed by its effects in object order.
	var clusterSummary []string
	for _, id := range sortedIDs(oi, ni) {
		o, inOld := oi[id]
		n, inNew := ni[id]
		c := ObjectChange{ID: id, Old: o, New: n}
		switch {
		case !inOld:
			c.Action = Added
		case !inNew:
			c.Action = Removed
		default:
			diffFields("", o, n, &c.Fields)
			if len(c.Fields) == 0 {
				r.Unchanged++
				continue
			}
			c.Action = Changed
		}
		r.Changes = append(r.Changes, c)
		r.Refused = append(r.Refused, refusals(c)...)
		if id.Kind == "RocketMQCluster" {
			clusterSummary = append(clusterSummary, summarize(c)...)
		} else {
			r.Summary = append(r.Summary, summarize(c)...)
		}
	}
	r.Summary = append(clusterSummary, r.Summary...)
	return r, nil
}

// refusals are the changes of c the API server refuses, each with why.
func refusals(c ObjectChange) []string {
	if c.Action != Changed || !isMetadataKind(c.ID.Kind) {
		return nil
	}
	var out []string
	for _, m := range metadataSummary(c) {
		if m.refused != "" {
			out = append(out, m.text+": "+m.refused)
		}
	}
	return out
}
