package argocd_test

import (
	"os"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
)

// env is a real kube-apiserver with the project's CRDs and the test-only
// Argo CD CRDs of testdata/crds, for server-side dry runs of the examples.
var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.RunMain(m, &env, testenv.WithCRDDirs("examples/argocd/testdata/crds")))
}
