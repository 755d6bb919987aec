package transfer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Only spec, annotation, finalizer and deletion changes wake the
// controller; its own status writes do not.
func TestTransferChangedPredicate(t *testing.T) {
	old := &v1alpha1.TopicTransfer{ObjectMeta: metav1.ObjectMeta{Name: "t", Generation: 1, ResourceVersion: "1"}}
	now := metav1.Now()
	for name, c := range map[string]struct {
		mutate func(*v1alpha1.TopicTransfer)
		want   bool
	}{
		"status only": {func(tt *v1alpha1.TopicTransfer) { tt.Status.Drain = &v1alpha1.DrainStatus{Polls: 3} }, false},
		"spec":        {func(tt *v1alpha1.TopicTransfer) { tt.Generation = 2 }, true},
		"annotation": {func(tt *v1alpha1.TopicTransfer) {
			tt.Annotations = map[string]string{v1alpha1.AnnotationForceRelease: "true"}
		}, true},
		"finalizer":        {func(tt *v1alpha1.TopicTransfer) { tt.Finalizers = []string{Finalizer} }, true},
		"deletion started": {func(tt *v1alpha1.TopicTransfer) { tt.DeletionTimestamp = &now }, true},
	} {
		t.Run(name, func(t *testing.T) {
			nw := old.DeepCopy()
			nw.ResourceVersion = "2"
			c.mutate(nw)
			assert.Equal(t, c.want, transferChanged().Update(event.UpdateEvent{ObjectOld: old, ObjectNew: nw}))
		})
	}
	assert.True(t, transferChanged().Create(event.CreateEvent{Object: old}))
}
