package v1alpha1

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/utils/ptr"
)

// TestSpecHash: defaults and metadata do not change the hash, a spec edit
// does, and the receiver is left alone.
func TestSpecHash(t *testing.T) {
	c := &RocketMQCluster{}
	c.Name, c.Namespace = "orders", "mq"
	c.Spec.Broker.Groups = ptr.To[int32](2)
	h, err := c.SpecHash()
	require.NoError(t, err)
	assert.Len(t, h, 64)
	assert.Nil(t, c.Spec.NameServer.Replicas, "SpecHash must not default its receiver")

	defaulted := c.DeepCopy()
	defaulted.Default()
	defaulted.Annotations = map[string]string{AnnotationRenderedSpecHash: "x"}
	defaulted.Generation = 7
	hd, err := defaulted.SpecHash()
	require.NoError(t, err)
	assert.Equal(t, h, hd, "a defaulted copy with other metadata must hash alike")

	c.Spec.Broker.Groups = ptr.To[int32](3)
	h3, err := c.SpecHash()
	require.NoError(t, err)
	assert.NotEqual(t, h, h3)
}
