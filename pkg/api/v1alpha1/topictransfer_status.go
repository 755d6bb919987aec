package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// TransferPhase is where a TopicTransfer is in its life.
// +kubebuilder:validation:Enum=Pending;Running;RollingBack;Succeeded;RolledBack;Failed;Abandoned
type TransferPhase string

// Transfer phases. Succeeded, RolledBack and Failed are final.
const (
	// TransferPending: accepted, nothing checked yet.
	TransferPending TransferPhase = "Pending"
	// TransferRunning: steps 1 to 6 are under way.
	TransferRunning TransferPhase = "Running"
	// TransferRollingBack: undoing what was done, after a failure, a drain
	// timeout or an abort.
	TransferRollingBack TransferPhase = "RollingBack"
	// TransferSucceeded: the topic and groups live on the target only (or
	// also, read-only, on the source when deleteSourceTopic is false).
	TransferSucceeded TransferPhase = "Succeeded"
	// TransferRolledBack: the source is as it was and the target holds
	// nothing this transfer created.
	TransferRolledBack TransferPhase = "RolledBack"
	// TransferFailed: refused before changing anything (invalid spec,
	// conflict, topic missing, cluster unreachable).
	TransferFailed TransferPhase = "Failed"
	// TransferAbandoned: the controller stopped without finishing, because
	// a referenced RocketMQCluster was deleted or the finalizer was
	// force-released; whatever the transfer had done stays as it was.
	TransferAbandoned TransferPhase = "Abandoned"
)

// Final reports whether the phase never changes again.
func (p TransferPhase) Final() bool {
	return p == TransferSucceeded || p == TransferRolledBack || p == TransferFailed || p == TransferAbandoned
}

// TransferStep names a step of the transfer.
// +kubebuilder:validation:Enum=Check;Snapshot;CreateOnTarget;SourceReadOnly;Drain;DeleteFromSource;Done
type TransferStep string

// The seven steps, in order.
const (
	StepCheck            TransferStep = "Check"
	StepSnapshot         TransferStep = "Snapshot"
	StepCreateOnTarget   TransferStep = "CreateOnTarget"
	StepSourceReadOnly   TransferStep = "SourceReadOnly"
	StepDrain            TransferStep = "Drain"
	StepDeleteFromSource TransferStep = "DeleteFromSource"
	StepDone             TransferStep = "Done"
)

// Step numbers, 1-based, in the order they run.
const (
	StepNumberCheck            int32 = 1
	StepNumberSnapshot         int32 = 2
	StepNumberCreateOnTarget   int32 = 3
	StepNumberSourceReadOnly   int32 = 4
	StepNumberDrain            int32 = 5
	StepNumberDeleteFromSource int32 = 6
	StepNumberDone             int32 = 7
)

// StepName is the name of step n, or "" when n is out of range.
func StepName(n int32) TransferStep {
	switch n {
	case StepNumberCheck:
		return StepCheck
	case StepNumberSnapshot:
		return StepSnapshot
	case StepNumberCreateOnTarget:
		return StepCreateOnTarget
	case StepNumberSourceReadOnly:
		return StepSourceReadOnly
	case StepNumberDrain:
		return StepDrain
	case StepNumberDeleteFromSource:
		return StepDeleteFromSource
	case StepNumberDone:
		return StepDone
	}
	return ""
}

// TopicTransferStatus is the transfer's whole memory: the controller keeps
// nothing else, so a restart resumes from here.
type TopicTransferStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, Reconciling, Stalled, and SpecChangeRefused when the
	// spec changed after the transfer finished.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Phase of the transfer.
	// +optional
	Phase TransferPhase `json:"phase,omitempty"`

	// Step in progress, 1 to 7. It is written before the step acts, so after
	// a restart the step is resumed, never skipped.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=7
	Step int32 `json:"step,omitempty"`

	// StepName is the name of Step.
	// +optional
	StepName TransferStep `json:"stepName,omitempty"`

	// StepStartedAt is when Step was entered.
	// +optional
	StepStartedAt *metav1.Time `json:"stepStartedAt,omitempty"`

	// Attempts counts consecutive failed attempts of the current step (or of
	// the rollback); it resets when a step completes.
	// +optional
	Attempts int32 `json:"attempts,omitempty"`

	// RetryingSince is when the first of the current run of failed attempts
	// happened; the step gives up once spec.retryBudget has passed since.
	// +optional
	RetryingSince *metav1.Time `json:"retryingSince,omitempty"`

	// NextAttemptAt is when the controller acts on the transfer next (a
	// retry after backoff, the next drain poll). A reconcile before it
	// only waits for the rest, unless the spec changed or the transfer is
	// being deleted.
	// +optional
	NextAttemptAt *metav1.MicroTime `json:"nextAttemptAt,omitempty"`

	// LastPollAt is when the drain last read consume stats; the next poll
	// is not before LastPollAt + the poll interval.
	// +optional
	LastPollAt *metav1.MicroTime `json:"lastPollAt,omitempty"`

	// LastError is the last admin error, for humans.
	// +optional
	LastError string `json:"lastError,omitempty"`

	// Message says what the transfer is doing or why it stopped.
	// +optional
	Message string `json:"message,omitempty"`

	// StartedAt is when step 1 began.
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`

	// CompletedAt is when the phase became final.
	// +optional
	CompletedAt *metav1.Time `json:"completedAt,omitempty"`

	// CompletedSpecHash identifies the spec the transfer finished with; a
	// different spec is refused with the SpecChangeRefused condition, the
	// same spec re-applied from Git changes nothing.
	// +optional
	CompletedSpecHash string `json:"completedSpecHash,omitempty"`

	// Snapshot of the source topic and groups, taken in step 2. Rollback
	// restores the source topic from it, and step 3 copies it to the target.
	// +optional
	Snapshot *TransferSnapshot `json:"snapshot,omitempty"`

	// Target lists what this transfer found or created on the target.
	// Rollback deletes only the entries it created.
	// +optional
	// +listType=map
	// +listMapKey=kind
	// +listMapKey=name
	Target []TargetResource `json:"target,omitempty"`

	// TargetOffsets lists, per group, the consumer offsets step 3 committed
	// on the target where the group had none, so that a consumer starting
	// from its last offset does not skip what producers send from step 4 on.
	// +optional
	// +listType=map
	// +listMapKey=group
	TargetOffsets []TargetOffsets `json:"targetOffsets,omitempty"`

	// Drain progress of step 5.
	// +optional
	Drain *DrainStatus `json:"drain,omitempty"`

	// KeptOnSource lists consumer groups step 6 did not delete from a
	// source broker because they still read other topics there; they keep
	// their offsets.
	// +optional
	// +listType=atomic
	KeptOnSource []string `json:"keptOnSource,omitempty"`

	// Rollback is set once a rollback has begun, with its reason.
	// +optional
	Rollback *RollbackStatus `json:"rollback,omitempty"`
}

// TransferSnapshot is the source side as it was before the transfer.
type TransferSnapshot struct {
	// TakenAt is when the snapshot was read.
	TakenAt metav1.Time `json:"takenAt"`

	// Topic holds the topic's config on each source master broker.
	// +listType=map
	// +listMapKey=brokerName
	Topic []BrokerTopicConfig `json:"topic"`

	// Groups holds each consumer group's config as read from the source.
	// +optional
	// +listType=map
	// +listMapKey=name
	Groups []GroupSnapshot `json:"groups,omitempty"`
}

// BrokerTopicConfig is a topic's TopicConfig on one broker.
type BrokerTopicConfig struct {
	// BrokerName of the broker group holding this config.
	BrokerName string `json:"brokerName"`
	// ReadQueueNums of the topic on this broker.
	ReadQueueNums int32 `json:"readQueueNums"`
	// WriteQueueNums of the topic on this broker.
	WriteQueueNums int32 `json:"writeQueueNums"`
	// Perm bits: 4 read, 2 write, 1 inherit, 8 priority.
	Perm int32 `json:"perm"`
	// TopicFilterType: SINGLE_TAG or MULTI_TAG.
	// +optional
	TopicFilterType string `json:"topicFilterType,omitempty"`
	// TopicSysFlag bits.
	// +optional
	TopicSysFlag int32 `json:"topicSysFlag,omitempty"`
	// Order marks an ordered topic.
	// +optional
	Order bool `json:"order,omitempty"`
	// Attributes such as message.type.
	// +optional
	Attributes map[string]string `json:"attributes,omitempty"`
}

// GroupSnapshot is a consumer group's SubscriptionGroupConfig.
type GroupSnapshot struct {
	// Name of the group.
	Name string `json:"name"`
	// BrokerName the config was read from.
	BrokerName string `json:"brokerName"`
	// Config is the SubscriptionGroupConfig as JSON, exactly as read, so
	// that fields this API does not model are carried over too.
	Config string `json:"config"`
	// RetryQueueNums of the group; the target's %RETRY% topic gets as many
	// queues, the way a broker creates it.
	// +optional
	RetryQueueNums int32 `json:"retryQueueNums,omitempty"`
}

// TargetResourceKind is what a TargetResource is.
// +kubebuilder:validation:Enum=Group;RetryTopic;Topic
type TargetResourceKind string

// Kinds of target resources, in creation order.
const (
	TargetGroup      TargetResourceKind = "Group"
	TargetRetryTopic TargetResourceKind = "RetryTopic"
	TargetTopic      TargetResourceKind = "Topic"
)

// TargetResourceState is what this transfer did with a target resource.
// +kubebuilder:validation:Enum=Creating;Created;PreExisting;Deleted;Retained
type TargetResourceState string

// Target resource states.
const (
	// TargetCreating: found absent, and about to be created by this
	// transfer. Written before the create, so a crash leaves an owner.
	TargetCreating TargetResourceState = "Creating"
	// TargetCreated: created by this transfer on every target master.
	TargetCreated TargetResourceState = "Created"
	// TargetPreExisting: already on the target; never changed or deleted.
	TargetPreExisting TargetResourceState = "PreExisting"
	// TargetDeleted: created by this transfer and deleted by its rollback.
	TargetDeleted TargetResourceState = "Deleted"
	// TargetRetained: created by this transfer and kept by its rollback,
	// because producers may have written to it (the rollback began after
	// step 4).
	TargetRetained TargetResourceState = "Retained"
)

// TargetResource is one topic or group on the target cluster.
type TargetResource struct {
	// Kind of resource.
	Kind TargetResourceKind `json:"kind"`
	// Name of the topic or group.
	Name string `json:"name"`
	// State of the resource.
	State TargetResourceState `json:"state"`
}

// DrainStatus is the progress of step 5.
type DrainStatus struct {
	// StartedAt is when waiting began; the timeout counts from here.
	StartedAt metav1.Time `json:"startedAt"`
	// Polls counts consume-stats checks.
	// +optional
	Polls int32 `json:"polls,omitempty"`
	// Pending lists groups that still had messages to consume at the last
	// check.
	// +optional
	// +listType=set
	Pending []string `json:"pending,omitempty"`
	// Brokers lists the source brokers that, at the last check, still held
	// delayed, timer or transactional half messages; RocketMQ counts them
	// per broker only, so any of them may be bound for the topic.
	// +optional
	// +listType=map
	// +listMapKey=brokerName
	Brokers []DrainBrokerBacklog `json:"brokers,omitempty"`
	// SettledSince is the first check of an unbroken run that found
	// nothing left; the drain ends spec.popInvisibleTime (plus the revive
	// scan time) after it.
	// +optional
	SettledSince *metav1.Time `json:"settledSince,omitempty"`
}

// DrainBrokerBacklog is what one source broker will still write into topics.
type DrainBrokerBacklog struct {
	// BrokerName of the source broker.
	BrokerName string `json:"brokerName"`
	// Delayed messages (SCHEDULE_TOPIC_XXXX) not delivered yet.
	// +optional
	Delayed int64 `json:"delayed,omitempty"`
	// Timer messages of the timer wheel not delivered yet.
	// +optional
	Timer int64 `json:"timer,omitempty"`
	// Half (prepared transactional) messages not yet passed by the
	// transaction check service.
	// +optional
	Half int64 `json:"half,omitempty"`
}

// TargetOffsetsState says how far step 3 got with a group's offsets.
// +kubebuilder:validation:Enum=Committing;Committed
type TargetOffsetsState string

// Target offsets states.
const (
	// TargetOffsetsCommitting: recorded before any offset is written; the
	// work is redone (it never overwrites an offset) after a restart.
	TargetOffsetsCommitting TargetOffsetsState = "Committing"
	// TargetOffsetsCommitted: every queue of the topic and of the group's
	// retry topic on every target master has an offset.
	TargetOffsetsCommitted TargetOffsetsState = "Committed"
)

// TargetOffsets is what step 3 did with one group's offsets on the target.
type TargetOffsets struct {
	// Group whose offsets these are.
	Group string `json:"group"`
	// State of the work.
	State TargetOffsetsState `json:"state"`
	// Committed counts the queues where the group had no offset and got
	// the queue's min offset; queues that had one were left alone.
	// +optional
	Committed int32 `json:"committed,omitempty"`
}

// RollbackReason says why a transfer rolls back.
// +kubebuilder:validation:Enum=Aborted;DrainTimeout;StepFailed
type RollbackReason string

// Rollback reasons.
const (
	RollbackAborted      RollbackReason = "Aborted"
	RollbackDrainTimeout RollbackReason = "DrainTimeout"
	RollbackStepFailed   RollbackReason = "StepFailed"
)

// RollbackStatus is the progress of a rollback.
type RollbackStatus struct {
	// Reason for the rollback.
	Reason RollbackReason `json:"reason"`
	// Message with details, e.g. the error that failed the step.
	// +optional
	Message string `json:"message,omitempty"`
	// FromStep is the step that was in progress when the rollback began.
	FromStep int32 `json:"fromStep"`
	// StartedAt is when the rollback began.
	StartedAt metav1.Time `json:"startedAt"`
	// SourceRestored is true once the source topic config is the snapshot.
	// +optional
	SourceRestored bool `json:"sourceRestored,omitempty"`
}
