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
	// ConditionTargetRetained is True when a rollback kept topics it had
	// created on the target, since producers may have written to them.
	ConditionTargetRetained = "TargetRetained"
)

// AnnotationForceRelease, set to "true" on a TopicTransfer, makes the
// controller abandon it and release its finalizer at once, whatever state
// it is in.
const AnnotationForceRelease = Group + "/force-release"

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
	ReasonTargetRetained     = "TargetMayHoldData"
	ReasonClusterDeleted     = "ClusterDeleted"
	ReasonForceReleased      = "ForceReleased"
	ReasonAbandoned          = "Abandoned"
	// Drain waits (Reconciling): a source broker that held the topic
	// still holds messages it will write into topics later. These are
	// counted per broker, not per topic.
	ReasonDelayedMessagesPending = "DelayedMessagesPending"
	ReasonTimerMessagesPending   = "TimerMessagesPending"
	ReasonHalfMessagesPending    = "HalfMessagesPending"
	// ReasonPopSettling: everything looks consumed, and the drain watches
	// for spec.popInvisibleTime in case unacked POP messages come back.
	ReasonPopSettling = "WaitingForPopInvisibleTime"
)
