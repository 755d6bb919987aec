package render

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// reference is apimachinery's generic conversion followed by cleaning: the
// behaviour the converter must reproduce exactly.
func reference(t *testing.T, obj runtime.Object) map[string]any {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	delete(m, "status")
	cleaned, _ := cleanValue(m)
	return cleaned.(map[string]any)
}

func TestConverterMatchesReference(t *testing.T) {
	for name, c := range goldenCases() {
		typedObjs, err := buildAll(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range typedObjs {
			if _, ok := obj.(interface{ UnstructuredContent() map[string]any }); ok {
				continue
			}
			got, err := newConverter().object(obj)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if want := reference(t, obj); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %T differs from the reference:\n got %s\nwant %s", name, obj, mustYAML(t, got), mustYAML(t, want))
			}
		}
	}
}

// TestConverterEdgeCases covers what the rendered objects do not: zero
// values with and without omitempty, typed nils, []byte, time and
// IntOrString in both forms, and a map of empties.
func TestConverterEdgeCases(t *testing.T) {
	objs := []runtime.Object{
		&corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "x", Labels: map[string]string{"a": "", "b": "1"}, CreationTimestamp: metav1.Unix(1700000000, 0)},
			BinaryData: map[string][]byte{"bin": {0, 1, 2}, "empty": {}},
			Immutable:  ptr.To(false),
		},
		&corev1.Service{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{
				{Port: 0, TargetPort: intstr.FromInt32(0)},
				{Port: 80, TargetPort: intstr.FromString("http"), NodePort: 0},
			}},
		},
		&corev1.Pod{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
					Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1Gi")},
				}}},
				Volumes:         []corev1.Volume{{Name: "e", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
				SecurityContext: &corev1.PodSecurityContext{},
			},
			Status: corev1.PodStatus{Phase: corev1.PodRunning},
		},
	}
	for _, obj := range objs {
		got, err := newConverter().object(obj)
		if err != nil {
			t.Fatal(err)
		}
		if want := reference(t, obj); !reflect.DeepEqual(got, want) {
			t.Errorf("%T:\n got %s\nwant %s", obj, mustYAML(t, got), mustYAML(t, want))
		}
	}
	if _, err := newConverter().object(corev1.Pod{}); err == nil {
		t.Error("a non-pointer object was accepted")
	}
}
