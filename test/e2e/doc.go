// Package e2e runs the project end to end on a simulated cluster: a real
// kube-apiserver, kube-controller-manager and kube-scheduler, kwok nodes
// in three zones with loopback pod IPs, emulated RocketMQ processes
// configured only by the rendered manifests (internal/podruntime), and
// the status-controller binary. `make e2e` runs it alone.
package e2e
