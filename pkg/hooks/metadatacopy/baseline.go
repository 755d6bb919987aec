package metadatacopy

import "github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"

// Baselined reports whether the cluster's initial groups were already
// recorded: once the cluster has been seen ready, every group carries a
// metadata state.
func Baselined(groups []v1alpha1.BrokerGroupStatus) bool {
	for _, g := range groups {
		if g.Metadata != "" {
			return true
		}
	}
	return false
}

// NewGroupState is the metadata state of a group that has none yet. Before
// the baseline nothing is decided unless the cluster is ready now, when
// every group present is Initial; after the baseline a group without state
// appeared later and needs the copy.
func NewGroupState(baselined, clusterReady bool) v1alpha1.MetadataState {
	switch {
	case baselined:
		return v1alpha1.MetadataPending
	case clusterReady:
		return v1alpha1.MetadataInitial
	default:
		return ""
	}
}

// Settled reports whether a group's metadata needs no more work.
func Settled(s v1alpha1.MetadataState) bool {
	return s == v1alpha1.MetadataInitial || s == v1alpha1.MetadataSynced
}
