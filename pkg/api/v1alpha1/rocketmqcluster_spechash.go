package v1alpha1

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// AnnotationRenderedSpecHash is set by the renderer (krm-fn) on the
// RocketMQCluster it passes through: the SpecHash of the spec the rendered
// objects came from. When a later kustomize layer changes the spec without
// running the function again, the cluster's SpecHash no longer matches it;
// `krm-fn check` refuses such a render and the status controller reports
// it as ConditionRenderStale.
const AnnotationRenderedSpecHash = Group + "/rendered-spec-hash"

// SpecHash is the hex sha256 of the defaulted spec's JSON. Defaulting first
// makes a spec written in Git (defaults omitted) and the same spec read
// back from the API server (CRD defaults filled in) hash alike; JSON
// encoding sorts map keys, so the hash does not depend on field order. The
// receiver is not modified.
func (c *RocketMQCluster) SpecHash() (string, error) {
	d := c.DeepCopy()
	d.Default()
	j, err := json.Marshal(d.Spec)
	if err != nil {
		return "", fmt.Errorf("encoding the spec of RocketMQCluster %s/%s: %w", c.Namespace, c.Name, err)
	}
	sum := sha256.Sum256(j)
	return hex.EncodeToString(sum[:]), nil
}
