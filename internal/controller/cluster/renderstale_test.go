package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestRenderStale: a cluster applied with the hash of the spec as written
// in Git (no defaults) is not stale once the API server has filled in the
// CRD defaults; a spec edit that no render followed is RenderStale True; a
// cluster without the annotation is Unknown. Ready is not affected.
func TestRenderStale(t *testing.T) {
	spec := twoGroups()
	f := newFixture(t, spec)
	written := &v1alpha1.RocketMQCluster{Spec: spec}
	hash, err := written.SpecHash()
	require.NoError(t, err)
	f.annotateRenderedHash(hash)
	startManager(t, env.Config, []string{f.ns}, testOptions())

	c := f.waitStatus("RenderStale False", func(c *v1alpha1.RocketMQCluster) bool {
		cd := condition(c, v1alpha1.ConditionRenderStale)
		return cd != nil && cd.Status == metav1.ConditionFalse
	})
	assert.Equal(t, ReasonSpecRendered, condition(c, v1alpha1.ConditionRenderStale).Reason)
	assert.NotEqual(t, spec, c.Spec, "the API server defaulted the live spec, and the hash still matches")

	gen := f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.Broker.Groups = ptr.To[int32](3) })
	c = f.waitStatus("RenderStale True", func(c *v1alpha1.RocketMQCluster) bool { return isTrue(c, v1alpha1.ConditionRenderStale) })
	cd := condition(c, v1alpha1.ConditionRenderStale)
	assert.Equal(t, ReasonSpecNotRendered, cd.Reason)
	assert.Equal(t, gen, cd.ObservedGeneration)
	assert.Contains(t, cd.Message, "without listing the krm-fn function as a transformer")

	f.annotateRenderedHash("")
	c = f.waitStatus("RenderStale Unknown", func(c *v1alpha1.RocketMQCluster) bool {
		cd := condition(c, v1alpha1.ConditionRenderStale)
		return cd != nil && cd.Status == metav1.ConditionUnknown
	})
	assert.Equal(t, ReasonRenderNotRecorded, condition(c, v1alpha1.ConditionRenderStale).Reason)
}

// annotateRenderedHash sets (or, with "", removes) the rendered-spec-hash
// annotation, retrying on conflicts with the controller's status writes.
func (f *fixture) annotateRenderedHash(hash string) {
	f.t.Helper()
	require.Eventually(f.t, func() bool {
		c := f.cluster()
		if c.Annotations == nil {
			c.Annotations = map[string]string{}
		}
		if hash == "" {
			delete(c.Annotations, v1alpha1.AnnotationRenderedSpecHash)
		} else {
			c.Annotations[v1alpha1.AnnotationRenderedSpecHash] = hash
		}
		return env.Client.Update(context.Background(), c) == nil
	}, waitFor, 50*time.Millisecond)
}
