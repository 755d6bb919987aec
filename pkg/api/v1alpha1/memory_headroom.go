package v1alpha1

import (
	"fmt"

	"gopkg.in/inf.v0"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The headroom: a JVM container's memory limit must be at least 125/100 of
// heap plus direct memory, that is 25 % above. A HotSpot process also
// holds metaspace, the code cache, thread stacks, GC bookkeeping (G1's
// remembered sets alone reach several percent of the heap) and native
// buffers of its libraries (RocksDB in brokers with ACL 2.0), none of it in
// -Xmx or -XX:MaxDirectMemorySize; the kernel kills the container when the
// sum reaches the limit, and a killed broker recovers its commit log on
// restart.
const (
	headroomUnscaled = 125
	headroomScale    = 2
)

// validateMemoryHeadroom refuses a memory limit that is not at least 25 %
// above the JVM's heap plus direct memory. Without a limit there is
// nothing to be killed at, so nothing is checked.
func validateMemoryHeadroom(j *JVMSpec, r *corev1.ResourceRequirements, path *field.Path) field.ErrorList {
	limit, ok := r.Limits[corev1.ResourceMemory]
	if !ok || j.Heap == nil {
		return nil
	}
	total := j.Heap.DeepCopy()
	what := "jvm.heap (" + j.Heap.String() + ")"
	if j.DirectMemory != nil {
		total.Add(*j.DirectMemory)
		what += " plus jvm.directMemory (" + j.DirectMemory.String() + ")"
	}
	need := minimumMemoryLimit(total)
	if limit.Cmp(need) >= 0 {
		return nil
	}
	return field.ErrorList{field.Invalid(path.Child("resources", "limits").Key(string(corev1.ResourceMemory)), limit.String(), fmt.Sprintf(
		"must be at least 25%% above %s, that is at least %s: the JVM also needs metaspace, thread stacks, code cache and GC structures outside heap and direct memory, and the kernel kills the container at its limit; raise resources.limits.memory to %s or lower the JVM sizes",
		what, need.String(), need.String()))}
}

// minimumMemoryLimit is total times the headroom, rounded up to a whole
// byte and written in binary units where they are exact.
func minimumMemoryLimit(total resource.Quantity) resource.Quantity {
	need := new(inf.Dec).Mul(total.AsDec(), inf.NewDec(headroomUnscaled, headroomScale))
	need.Round(need, 0, inf.RoundCeil)
	return *resource.NewDecimalQuantity(*need, resource.BinarySI)
}
