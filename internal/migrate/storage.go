package migrate

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// storageClassAnnotation is the beta annotation the operator's examples
// use instead of spec.storageClassName.
const storageClassAnnotation = "volume.beta.kubernetes.io/storage-class"

// storage turns storageMode, hostPath and volumeClaimTemplates into a
// StorageSpec. Only StorageClass mode kept data on a claim; EmptyDir and
// HostPath become claims, which the report says.
//
// fresh says what the new component starts with, since nothing is copied
// from the old volume.
func (cv *converter) storage(ref resourceRef, pf *podFields, path, fresh string) v1alpha1.StorageSpec {
	var out v1alpha1.StorageSpec
	var vct *corev1.PersistentVolumeClaim
	if len(pf.VolumeClaimTemplates) > 0 {
		vct = &pf.VolumeClaimTemplates[0]
		if q, ok := vct.Spec.Resources.Requests[corev1.ResourceStorage]; ok && q.Sign() > 0 {
			out.Size = ptrQuantity(q)
		}
	}
	for i := 1; i < len(pf.VolumeClaimTemplates); i++ {
		cv.report.dropped(ref, "spec.volumeClaimTemplates["+strconv.Itoa(i)+"]", "the operator only uses the first claim template; so does the new cluster")
	}
	size := "the default size"
	if out.Size != nil {
		size = out.Size.String()
	}
	switch pf.StorageMode {
	case storageStorageClass:
		cv.storageClass(ref, vct, &out)
		if vct == nil {
			cv.report.changed(ref, "spec.volumeClaimTemplates", "StorageClass mode without a claim template: %s.storage uses the default size and class", path)
		}
	case storageEmptyDir:
		cv.report.changed(ref, "spec.storageMode", "EmptyDir: the data was lost with every pod; the new cluster keeps it on a "+
			"PersistentVolumeClaim of %s per pod in the default StorageClass (set %s.storage.storageClassName to choose one)", size, path)
		cv.unusedClass(ref, vct, path)
	default:
		cv.report.changed(ref, "spec.storageMode", "%s (hostPath %q on each node): the new cluster keeps data on a PersistentVolumeClaim "+
			"of %s per pod in the default StorageClass (set %s.storage.storageClassName to choose one). Nothing is copied from the node: "+
			"%s", orDefault(pf.StorageMode, storageHostPath), pf.HostPath, size, path, fresh)
		cv.unusedClass(ref, vct, path)
	}
	return out
}

func (cv *converter) storageClass(ref resourceRef, vct *corev1.PersistentVolumeClaim, out *v1alpha1.StorageSpec) {
	if vct == nil {
		return
	}
	if vct.Spec.StorageClassName != nil {
		out.StorageClassName = ptrString(*vct.Spec.StorageClassName)
	} else if c, ok := vct.Annotations[storageClassAnnotation]; ok {
		out.StorageClassName = ptrString(c)
	}
	for _, m := range vct.Spec.AccessModes {
		if m != corev1.ReadWriteOnce {
			cv.report.changed(ref, "spec.volumeClaimTemplates[0].spec.accessModes", "%s: the new cluster's claims are ReadWriteOnce, one volume per pod", m)
			break
		}
	}
}

// unusedClass reports a class named in a claim template that EmptyDir and
// HostPath mode never used: it may not even exist.
func (cv *converter) unusedClass(ref resourceRef, vct *corev1.PersistentVolumeClaim, path string) {
	if vct == nil {
		return
	}
	class := vct.Annotations[storageClassAnnotation]
	if vct.Spec.StorageClassName != nil {
		class = *vct.Spec.StorageClassName
	}
	if class != "" {
		cv.report.dropped(ref, "spec.volumeClaimTemplates[0]", "storage class %q was unused in this storageMode and may not exist: "+
			"set %s.storage.storageClassName to it if it does", class, path)
	}
}

func ptrQuantity(q resource.Quantity) *resource.Quantity { return &q }

func ptrString(s string) *string { return &s }

func ptrInt32(i int32) *int32 { return &i }

func itoa(i int) string { return strconv.Itoa(i) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
