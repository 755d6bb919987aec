package migrate

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// javaSize is a HotSpot size: digits and an optional k, m, g or t suffix
// (either case), as -Xmx and -XX:MaxDirectMemorySize take them.
var javaSize = regexp.MustCompile(`^([0-9]+)([kKmMgGtT]?)$`)

// parseJavaSize converts "2g" to 2Gi; HotSpot's units are binary.
func parseJavaSize(s string) (*resource.Quantity, error) {
	m := javaSize.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("%q is not a Java memory size such as 2g or 512m", s)
	}
	unit := map[string]string{"": "", "k": "Ki", "m": "Mi", "g": "Gi", "t": "Ti"}[strings.ToLower(m[2])]
	q, err := resource.ParseQuantity(m[1] + unit)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	return &q, nil
}

// jvmFromOptions reads -Xmx and -XX:MaxDirectMemorySize from a JVM option
// string (the operator image's BROKER_MEM); the other options are
// returned to be reported.
func jvmFromOptions(opts string) (v1alpha1.JVMSpec, []string, error) {
	var jvm v1alpha1.JVMSpec
	var rest []string
	for _, o := range strings.Fields(opts) {
		var err error
		switch {
		case strings.HasPrefix(o, "-Xmx"):
			jvm.Heap, err = parseJavaSize(strings.TrimPrefix(o, "-Xmx"))
		case strings.HasPrefix(o, "-XX:MaxDirectMemorySize="):
			jvm.DirectMemory, err = parseJavaSize(strings.TrimPrefix(o, "-XX:MaxDirectMemorySize="))
		case strings.HasPrefix(o, "-Xms"):
			// The renderer sets -Xms to the heap: a fixed heap never resizes.
		default:
			rest = append(rest, o)
		}
		if err != nil {
			return v1alpha1.JVMSpec{}, nil, err
		}
	}
	return jvm, rest, nil
}

// fitHeap makes the default JVM sizes fit below the memory limit the
// operator's user chose: the operator's images sized the heap from the
// container's memory (runserver-customize.sh), our defaults are fixed
// sizes, which a small limit cannot hold. Each memory area then gets a
// quarter of the limit. Sizes the user gave (BROKER_MEM) are never
// changed: the caller refuses them when they do not fit.
func (cv *converter) fitHeap(ref resourceRef, jvm *v1alpha1.JVMSpec, res *corev1.ResourceRequirements, defaults v1alpha1.JVMSpec, path string) {
	limit, ok := res.Limits[corev1.ResourceMemory]
	if !ok || jvm.Heap != nil || jvm.DirectMemory != nil {
		return
	}
	total := defaults.Heap.DeepCopy()
	if defaults.DirectMemory != nil {
		total.Add(*defaults.DirectMemory)
	}
	if withHeadroom(total).Cmp(limit) <= 0 {
		return
	}
	quarter := resource.NewQuantity(limit.Value()/4, resource.BinarySI)
	jvm.Heap = quarter
	if defaults.DirectMemory != nil {
		jvm.DirectMemory = resource.NewQuantity(limit.Value()/4, resource.BinarySI)
	}
	cv.report.changed(ref, "spec.resources.limits.memory", "%s leaves no room for the default JVM sizes (%s in all); %s.jvm gets a quarter of it per memory area (%s): check it",
		limit.String(), total.String(), path, quarter.String())
}

// headroomPercent is the validation's margin of the memory limit above
// heap + direct memory (metaspace, thread stacks, code cache, GC).
const headroomPercent = 25

// withHeadroom is the smallest memory limit validation accepts for JVM
// areas of total bytes, rounded up to a mebibyte.
func withHeadroom(total resource.Quantity) *resource.Quantity {
	const mi = 1 << 20
	need := (total.Value()*(100+headroomPercent)/100 + mi - 1) / mi * mi
	return resource.NewQuantity(need, resource.BinarySI)
}

// ensureHeadroom raises a memory limit that holds the JVM sizes but not
// the validation's headroom above them: the operator had no such rule,
// and the sizes are what the user chose, so the limit moves, reported.
// The request follows when it equalled the limit (Guaranteed QoS kept).
func (cv *converter) ensureHeadroom(ref resourceRef, jvm v1alpha1.JVMSpec, res *corev1.ResourceRequirements, defaults v1alpha1.JVMSpec, path string) {
	limit, ok := res.Limits[corev1.ResourceMemory]
	heap := orQuantity(jvm.Heap, defaults.Heap)
	if !ok || heap == nil {
		return
	}
	total := heap.DeepCopy()
	if d := orQuantity(jvm.DirectMemory, defaults.DirectMemory); d != nil {
		total.Add(*d)
	}
	need := withHeadroom(total)
	if need.Cmp(limit) <= 0 {
		return
	}
	if req, ok := res.Requests[corev1.ResourceMemory]; ok && req.Cmp(limit) == 0 {
		res.Requests[corev1.ResourceMemory] = *need
	}
	res.Limits[corev1.ResourceMemory] = *need
	cv.report.changed(ref, "spec.resources.limits.memory", "%s holds the JVM sizes (%s heap and direct memory) with less than %d%% to spare for the rest of the JVM; %s.resources.limits.memory is raised to %s",
		limit.String(), total.String(), headroomPercent, path, need.String())
}

// heapFits says whether the JVM sizes stay below the memory limit, as
// validation wants; an unset direct memory counts at its default.
func heapFits(jvm v1alpha1.JVMSpec, res *corev1.ResourceRequirements, defaults v1alpha1.JVMSpec) (bool, string) {
	limit, ok := res.Limits[corev1.ResourceMemory]
	if !ok || jvm.Heap == nil {
		return true, ""
	}
	total := jvm.Heap.DeepCopy()
	if d := orQuantity(jvm.DirectMemory, defaults.DirectMemory); d != nil {
		total.Add(*d)
	}
	return total.Cmp(limit) < 0, fmt.Sprintf("heap and direct memory (%s in all, direct memory %s unless set) must stay below "+
		"spec.resources.limits.memory (%s): lower it or raise the limit", total.String(), defaults.DirectMemory.String(), limit.String())
}

func orQuantity(q, def *resource.Quantity) *resource.Quantity {
	if q != nil {
		return q
	}
	return def
}
