// Package simcluster runs a simulated Kubernetes cluster for end-to-end
// tests: etcd and kube-apiserver (through internal/testenv, so the project's
// CRDs are installed), kube-controller-manager, kube-scheduler and kwok,
// which fakes the kubelets of a few nodes spread over zones.
//
// What the simulation does and does not do:
//   - Pods are scheduled for real and kwok turns a scheduled Pod into phase
//     Running with a pod IP from a loopback CIDR (default 127.1.0.0/16), but
//     never Ready: readiness belongs to the test's pod runtime, which calls
//     SetPodReady once the emulated process answers on its pod IP.
//   - A Pod being deleted is removed at once (kwok deletes with grace period
//     0), so StatefulSet rolls do not wait out terminationGracePeriodSeconds.
//   - Nothing provisions volumes, so the Cluster creates a PersistentVolume
//     pre-bound to every pending PersistentVolumeClaim.
//   - kube-apiserver refuses loopback addresses in Endpoints and
//     EndpointSlices, so Services have no endpoints: resolve names from Pods.
//
// Every process binds 127.0.0.1 only; pod and node IPs are loopback
// addresses, and the Service cluster IP range is virtual (no kube-proxy), so
// a test never dials anything but loopback.
//
// The binaries (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kwok) come from KUBEBUILDER_ASSETS or <module root>/bin/k8s,
// which `make kube-assets` fills. Start one Cluster per test package in
// TestMain: it takes several seconds.
package simcluster
