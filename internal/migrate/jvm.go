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
	if total.Cmp(limit) < 0 {
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
