// Package testenv starts a real kube-apiserver and etcd (controller-runtime
// envtest) for the tests of this module and gives them a small toolbox:
// a client, per-test namespaces with a Pod Security level, server-side apply
// dry runs that report API warnings, impersonation of ServiceAccounts for
// RBAC checks, kubectl, and a way to mark Pods Ready (there is no kubelet).
//
// The binaries come from KUBEBUILDER_ASSETS, or from <module root>/bin/k8s
// when it is unset; `make kube-assets` (and so `make test`) builds them. A
// missing binary fails the test: a suite that skips silently would prove
// nothing.
//
// Each test package shares one API server through TestMain:
//
//	var env *testenv.Env
//
//	func TestMain(m *testing.M) { os.Exit(testenv.RunMain(m, &env)) }
//
// The CRDs in <module root>/config/crd/bases are installed on start.
//
// The package sets no global state: controller-runtime's logger is left to
// the test package (call log.SetLogger in TestMain to see envtest's logs).
package testenv
