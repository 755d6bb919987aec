package simcluster

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestVolumeFor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		class *string
		want  string
	}{
		{"nil class", nil, ""},
		{"empty class", ptr.To(""), ""},
		{"named class", ptr.To("fast"), "fast"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pvc := &corev1.PersistentVolumeClaim{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "data-web-0", UID: "u1"},
				Spec: corev1.PersistentVolumeClaimSpec{
					StorageClassName: tc.class,
					AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceStorage: resource.MustParse("3Gi"),
					}},
				},
			}
			pv := volumeFor(pvc)
			if pv.Spec.StorageClassName != tc.want {
				t.Errorf("storageClassName %q, want %q", pv.Spec.StorageClassName, tc.want)
			}
			if ref := pv.Spec.ClaimRef; ref == nil || ref.UID != "u1" || ref.Name != "data-web-0" || ref.Namespace != "ns" {
				t.Errorf("claimRef %+v does not point at the claim", ref)
			}
			if got := pv.Spec.Capacity[corev1.ResourceStorage]; got.Cmp(resource.MustParse("3Gi")) != 0 {
				t.Errorf("capacity %v, want 3Gi", got.String())
			}
			if len(pv.Spec.AccessModes) != 1 || pv.Spec.AccessModes[0] != corev1.ReadWriteOncePod {
				t.Errorf("access modes %v", pv.Spec.AccessModes)
			}
			if pv.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain || pv.Spec.NodeAffinity != nil {
				t.Errorf("reclaim policy %q, node affinity %v", pv.Spec.PersistentVolumeReclaimPolicy, pv.Spec.NodeAffinity)
			}
		})
	}
}
