package simcluster

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// provisionerLog is the volume provisioner's log file in LogDir.
const provisionerLog = "volume-provisioner.log"

// resync re-delivers every claim periodically, which retries a PV creation
// that failed.
const resync = 5 * time.Second

// startVolumeProvisioner watches PersistentVolumeClaims and creates a
// PersistentVolume pre-bound to each pending one. The PV controller (in
// kube-controller-manager) then binds the pair, and the scheduler's
// VolumeBinding plugin places the pod: a PV without nodeAffinity fits every
// node.
func (c *Cluster) startVolumeProvisioner(ctx context.Context) {
	f, err := os.OpenFile(filepath.Join(c.LogDir, provisionerLog), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	logger := log.New(os.Stderr, "simcluster: ", log.LstdFlags)
	if err == nil {
		logger = log.New(f, "", log.LstdFlags|log.Lmicroseconds)
	}
	factory := informers.NewSharedInformerFactory(c.clientset, resync)
	inf := factory.Core().V1().PersistentVolumeClaims().Informer()
	handle := func(obj any) {
		pvc, ok := obj.(*corev1.PersistentVolumeClaim)
		if !ok || pvc.Status.Phase != corev1.ClaimPending || pvc.Spec.VolumeName != "" || pvc.DeletionTimestamp != nil {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		pv := volumeFor(pvc)
		switch err := c.Client.Create(ctx, pv); {
		case err == nil:
			logger.Printf("created PV %s for PVC %s/%s", pv.Name, pvc.Namespace, pvc.Name)
		case apierrors.IsAlreadyExists(err):
		default:
			logger.Printf("creating PV %s for PVC %s/%s: %v", pv.Name, pvc.Namespace, pvc.Name, err)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    handle,
		UpdateFunc: func(_, obj any) { handle(obj) },
	})
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if f != nil {
			defer func() { _ = f.Close() }()
		}
		factory.Start(ctx.Done())
		<-ctx.Done()
		factory.Shutdown()
	}()
}

// volumeFor returns a hostPath PV pre-bound (claimRef with UID) to pvc,
// matching what the PV controller checks: capacity >= request, the access
// modes, volume mode and storage class ("" when the claim has none or nil;
// a class that does not exist means immediate binding).
func volumeFor(pvc *corev1.PersistentVolumeClaim) *corev1.PersistentVolume {
	size, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		size = resource.MustParse("1Gi")
	}
	class := ""
	if pvc.Spec.StorageClassName != nil {
		class = *pvc.Spec.StorageClassName
	}
	modes := pvc.Spec.AccessModes
	if len(modes) == 0 {
		modes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	var labels map[string]string
	if pvc.Spec.Selector != nil {
		labels = pvc.Spec.Selector.MatchLabels
	}
	hostPathType := corev1.HostPathDirectoryOrCreate
	return &corev1.PersistentVolume{
		// The claim's UID keeps the name unique and makes creation
		// idempotent across informer re-deliveries.
		ObjectMeta: metav1.ObjectMeta{Name: "pv-" + string(pvc.UID), Labels: labels},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:    corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes: modes,
			ClaimRef: &corev1.ObjectReference{
				APIVersion: "v1", Kind: "PersistentVolumeClaim",
				Namespace: pvc.Namespace, Name: pvc.Name, UID: pvc.UID,
			},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			StorageClassName:              class,
			VolumeMode:                    pvc.Spec.VolumeMode,
			// Never mounted (kwok runs no containers); the path only has to
			// be valid.
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: fmt.Sprintf("/tmp/simcluster/%s/%s", pvc.Namespace, pvc.Name), Type: &hostPathType,
			}},
		},
	}
}
