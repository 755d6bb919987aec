package topictransfer

import (
	"errors"
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// createOnTarget is step 3. For each planned resource it first records
// whether it was already there (PreExisting, never touched again) or is
// about to be created (Creating), persists that, and only then creates it
// on every target master and marks it Created. A crash between the two
// leaves a Creating entry, which the next run finishes and a rollback
// deletes; a PreExisting one is never deleted.
func (r *run) createOnTarget() (result, error) {
	tgtMasters, err := masters(r.ctx, r.tgt)
	if err != nil {
		return result{}, fmt.Errorf("creating on the target: %w", err)
	}
	st := r.st
	for _, p := range targetPlan(r.in.Spec.Topic, r.in.Spec.ConsumerGroups) {
		i := findTarget(st.Target, p.Kind, p.Name)
		if i < 0 {
			return result{}, r.recordTarget(tgtMasters, p)
		}
		if st.Target[i].State != v1alpha1.TargetCreating {
			continue
		}
		if err := r.createTarget(tgtMasters, p); err != nil {
			return result{}, err
		}
		st.Target[i].State = v1alpha1.TargetCreated
		r.event(false, "CreatedOnTarget", "created %s %q on target %v", p.Kind, p.Name, r.tgt)
		return result{}, nil
	}
	return r.targetOffsets(tgtMasters)
}

// recordTarget records a planned resource as PreExisting or Creating.
func (r *run) recordTarget(tgtMasters map[string]string, p v1alpha1.TargetResource) error {
	exists, err := r.onTarget(tgtMasters, p)
	if err != nil {
		return err
	}
	p.State = v1alpha1.TargetCreating
	if exists {
		p.State = v1alpha1.TargetPreExisting
		r.event(false, "FoundOnTarget", "%s %q already exists on target %v; it is left as it is", p.Kind, p.Name, r.tgt)
	}
	r.st.Target = append(r.st.Target, p)
	return nil
}

// onTarget reports whether any target master has the resource.
func (r *run) onTarget(tgtMasters map[string]string, p v1alpha1.TargetResource) (bool, error) {
	for _, bn := range sortedNames(tgtMasters) {
		var err error
		if p.Kind == v1alpha1.TargetGroup {
			_, err = r.tgt.Admin.Group(r.ctx, tgtMasters[bn], p.Name)
		} else {
			_, err = r.tgt.Admin.Topic(r.ctx, tgtMasters[bn], p.Name)
		}
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, admin.ErrSubscriptionGroupNotExist), errors.Is(err, admin.ErrTopicNotExist):
		default:
			return false, fmt.Errorf("looking for %s %q on the target: %w", p.Kind, p.Name, err)
		}
	}
	return false, nil
}

// createTarget creates the resource on every target master; the admin
// calls are create-or-update, so repeating them is harmless.
func (r *run) createTarget(tgtMasters map[string]string, p v1alpha1.TargetResource) error {
	for _, bn := range sortedNames(tgtMasters) {
		addr := tgtMasters[bn]
		var err error
		switch p.Kind {
		case v1alpha1.TargetGroup:
			err = r.createGroup(addr, p.Name)
		case v1alpha1.TargetRetryTopic:
			err = r.tgt.Admin.CreateTopic(r.ctx, addr, r.retryTopicConfig(p.Name))
		case v1alpha1.TargetTopic:
			err = r.tgt.Admin.CreateTopic(r.ctx, addr, r.targetTopicConfig())
		}
		if err != nil {
			return fmt.Errorf("creating %s %q on target broker %s: %w", p.Kind, p.Name, bn, err)
		}
	}
	return nil
}

func (r *run) createGroup(addr, group string) error {
	snap := r.groupSnapshot(group)
	if snap == nil {
		return fmt.Errorf("no snapshot of group %q", group)
	}
	cfg, err := groupConfig(*snap)
	if err != nil {
		return err
	}
	return r.tgt.Admin.CreateGroup(r.ctx, addr, cfg)
}

func (r *run) groupSnapshot(group string) *v1alpha1.GroupSnapshot {
	if r.st.Snapshot == nil {
		return nil
	}
	for i := range r.st.Snapshot.Groups {
		if r.st.Snapshot.Groups[i].Name == group {
			return &r.st.Snapshot.Groups[i]
		}
	}
	return nil
}

// retryTopicConfig is the group's %RETRY% topic as a broker creates it on
// the first send-back (SendMessageProcessor): the group's retryQueueNums
// queues, read-write.
func (r *run) retryTopicConfig(name string) admin.TopicConfig {
	tc := admin.NewTopicConfig(name)
	queues := 1
	for _, g := range r.snapshotGroups() {
		if retryTopic(g.Name) == name && g.RetryQueueNums > 0 {
			queues = int(g.RetryQueueNums)
		}
	}
	tc.ReadQueueNums, tc.WriteQueueNums = queues, queues
	return tc
}

func (r *run) snapshotGroups() []v1alpha1.GroupSnapshot {
	if r.st.Snapshot == nil {
		return nil
	}
	return r.st.Snapshot.Groups
}

// targetTopicConfig is the topic as the snapshot has it on the first source
// broker (by name): queue counts, perm, filter type, flags, order and
// attributes. Every target master gets the same.
func (r *run) targetTopicConfig() admin.TopicConfig {
	return topicConfig(r.in.Spec.Topic, r.st.Snapshot.Topic[0])
}
