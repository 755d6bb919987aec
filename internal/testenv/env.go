package testenv

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// CRDDir is where `make manifests` writes the project's CRDs, relative to
// the module root; every Env installs them.
const CRDDir = "config/crd/bases"

//go:embed testdata/servicemonitor-crd.yaml
var serviceMonitorCRD []byte

// Env is one running kube-apiserver + etcd with the project's CRDs.
type Env struct {
	// Config authenticates as an admin (group system:masters). Its warning
	// handler records warnings into contexts made by CollectWarnings.
	Config *rest.Config
	// Client uses Config and Scheme; it also reads and writes Unstructured.
	Client client.Client
	// Scheme holds the client-go types, apiextensions/v1 and
	// rocketmq.gitops.dev/v1alpha1.
	Scheme *runtime.Scheme
	// Root is the module root (the directory holding go.mod).
	Root string
	// AssetsDir holds etcd, kube-apiserver and kubectl.
	AssetsDir string

	env        *envtest.Environment
	tmpDir     string
	kubeconfig string
}

// Option changes what Start installs.
type Option func(*settings)

type settings struct {
	serviceMonitor    bool
	withoutProjectCRD bool
	crdDirs           []string
}

// WithServiceMonitorCRD installs a monitoring.coreos.com/v1 ServiceMonitor
// CRD (testdata/servicemonitor-crd.yaml) so that rendered ServiceMonitors
// can be applied. Its schema covers the fields the renderer uses.
func WithServiceMonitorCRD() Option {
	return func(s *settings) { s.serviceMonitor = true }
}

// WithCRDDirs installs the CRDs of more directories (relative to the
// module root, or absolute) besides CRDDir.
func WithCRDDirs(dirs ...string) Option {
	return func(s *settings) { s.crdDirs = append(s.crdDirs, dirs...) }
}

// WithoutProjectCRDs skips the CRDs of CRDDir, for tests of core objects
// that must not depend on the project's CRDs being installable.
func WithoutProjectCRDs() Option {
	return func(s *settings) { s.withoutProjectCRD = true }
}

// Start starts an Env for one test and stops it when the test ends. It
// fails the test when the binaries are missing or the server does not
// start. Prefer one Env per package (RunMain) over one per test: starting
// takes a few seconds.
func Start(tb testing.TB, opts ...Option) *Env {
	tb.Helper()
	e, err := StartMain(opts...)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(func() {
		if err := e.Stop(); err != nil {
			tb.Errorf("testenv: %v", err)
		}
	})
	return e
}

// RunMain starts an Env, stores it in *env, runs the package's tests and
// stops the Env. It returns the exit code for os.Exit; a failure to start
// is printed and gives exit code 1, so the package fails rather than skips.
func RunMain(m *testing.M, env **Env, opts ...Option) int {
	e, err := StartMain(opts...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		return 1
	}
	*env = e
	code := m.Run()
	if err := e.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "testenv: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// StartMain starts an Env for use outside a test (TestMain); the caller
// must call Stop.
func StartMain(opts ...Option) (*Env, error) {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	return startWithRetries(startAttempts, func() (*Env, error) {
		e, err := newEnv(s)
		if err != nil {
			return nil, noRetry{err} // missing binaries or CRDs stay missing
		}
		if err := e.start(); err != nil {
			return nil, errors.Join(err, e.Stop())
		}
		return e, nil
	})
}

// startAttempts bounds the tries to bring the control plane up. envtest
// picks free ports before etcd and kube-apiserver bind them, and in
// between another test binary's listener, or the source port of any
// outgoing loopback connection, can take one; a fresh Env gets fresh
// ports.
const startAttempts = 3

// noRetry marks a start error that another attempt cannot fix.
type noRetry struct{ error }

func (e noRetry) Unwrap() error { return e.error }

// startWithRetries calls start until it succeeds, returns a noRetry
// error, or has failed attempts times.
func startWithRetries(attempts int, start func() (*Env, error)) (*Env, error) {
	var errs []error
	for i := range attempts {
		e, err := start()
		if err == nil {
			return e, nil
		}
		var final noRetry
		if errors.As(err, &final) {
			return nil, final.error
		}
		errs = append(errs, fmt.Errorf("attempt %d: %w", i+1, err))
	}
	return nil, errors.Join(errs...)
}

func newEnv(s settings) (*Env, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("finding the module root: %w", err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return nil, fmt.Errorf("finding the module root: %w", err)
	}
	assets, err := assetsDir(root)
	if err != nil {
		return nil, err
	}
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	crds, err := extraCRDs(s)
	if err != nil {
		return nil, err
	}
	var dirs []string
	if !s.withoutProjectCRD {
		dirs = append(dirs, filepath.Join(root, CRDDir))
	}
	for _, d := range s.crdDirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		dirs = append(dirs, d)
	}
	te := &envtest.Environment{
		Scheme:                   scheme,
		BinaryAssetsDirectory:    assets,
		CRDDirectoryPaths:        dirs,
		CRDs:                     crds,
		ControlPlaneStartTimeout: time.Minute,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	// etcd's data dies with the test, so waiting for fsync on every write
	// (controller tests write a lot) buys nothing.
	te.ControlPlane.Etcd = &envtest.Etcd{}
	te.ControlPlane.Etcd.Configure().Append("unsafe-no-fsync", "true")
	return &Env{Scheme: scheme, Root: root, AssetsDir: assets, env: te}, nil
}

func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, apiextensionsv1.AddToScheme, v1alpha1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			return nil, fmt.Errorf("building the scheme: %w", err)
		}
	}
	return scheme, nil
}

func extraCRDs(s settings) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	if !s.serviceMonitor {
		return nil, nil
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(serviceMonitorCRD), 4096)
	if err := dec.Decode(crd); err != nil {
		return nil, fmt.Errorf("decoding the ServiceMonitor CRD: %w", err)
	}
	return []*apiextensionsv1.CustomResourceDefinition{crd}, nil
}

func (e *Env) start() error {
	cfg, err := e.env.Start()
	if err != nil {
		return fmt.Errorf("starting kube-apiserver and etcd from %s: %w", e.AssetsDir, err)
	}
	cfg = rest.CopyConfig(cfg)
	cfg.WarningHandlerWithContext = warningRouter{}
	c, err := client.New(cfg, client.Options{Scheme: e.Scheme})
	if err != nil {
		return fmt.Errorf("creating the client: %w", err)
	}
	e.Config, e.Client = cfg, c
	if e.tmpDir, err = os.MkdirTemp("", "testenv-"); err != nil {
		return fmt.Errorf("creating a directory for the kubeconfig: %w", err)
	}
	e.kubeconfig = filepath.Join(e.tmpDir, "kubeconfig")
	if err := os.WriteFile(e.kubeconfig, e.env.KubeConfig, 0o600); err != nil {
		return fmt.Errorf("writing the kubeconfig: %w", err)
	}
	return nil
}

// Stop stops the API server and etcd and removes the Env's files.
func (e *Env) Stop() error {
	var errs []error
	if err := e.env.Stop(); err != nil {
		errs = append(errs, fmt.Errorf("stopping kube-apiserver and etcd: %w", err))
	}
	if e.tmpDir != "" {
		if err := os.RemoveAll(e.tmpDir); err != nil {
			errs = append(errs, fmt.Errorf("removing %s: %w", e.tmpDir, err))
		}
	}
	return errors.Join(errs...)
}

// KubeconfigPath is a kubeconfig file for the admin user, for tools run
// against the Env (kubectl, kustomize-driven scripts).
func (e *Env) KubeconfigPath() string { return e.kubeconfig }
