package v1alpha1

// Condition types of TopicTransfer, in the kstatus form: Ready is True only
// once the transfer succeeded, Reconciling is True while it works, Stalled
// is True when it stopped short of success (rolled back or refused).
// ConditionReady is shared with RocketMQCluster.
const (
	// ConditionReconciling is True while the transfer runs or rolls back.
	ConditionReconciling = "Reconciling"
	// ConditionStalled is True when the transfer ended without success, or
	// when the spec was changed after it finished.
	ConditionStalled = "Stalled"
	// ConditionSpecChangeRefused is True when the spec changed after the
	// transfer finished, or abort was set past the point of no return.
	ConditionSpecChangeRefused = "SpecChangeRefused"
)

// Condition reasons of TopicTransfer.
const (
	ReasonPending            = "Pending"
	ReasonProgressing        = "Progressing"
	ReasonRetrying           = "Retrying"
	ReasonRollingBack        = "RollingBack"
	ReasonSucceeded          = "Succeeded"
	ReasonRolledBack         = "RolledBack"
	ReasonInvalidSpec        = "InvalidSpec"
	ReasonConflict           = "Conflict"
	ReasonSourceTopicMissing = "SourceTopicMissing"
	ReasonGroupMissing       = "GroupMissing"
	ReasonClusterUnavailable = "ClusterUnavailable"
	ReasonSpecChanged        = "SpecChangedAfterCompletion"
	ReasonAbortTooLate       = "AbortPastPointOfNoReturn"
	ReasonSpecUnchanged      = "SpecUnchanged"
)
