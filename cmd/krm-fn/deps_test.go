package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// heavyPackages must stay out of krm-fn: kustomize starts it once per
// build, and these cost start-up time (package init, a bigger binary to
// page in) for nothing rendering needs. Each is a prefix of import paths.
var heavyPackages = []string{
	"sigs.k8s.io/controller-runtime",              // the status controller's; krm-fn needs none of it
	"k8s.io/client-go",                            // no API server is ever contacted
	"sigs.k8s.io/kustomize/kyaml/fn/framework",    // replaced by internal/krm
	"sigs.k8s.io/kustomize/kyaml/openapi",         // parses an embedded swagger document
	"k8s.io/kube-openapi/pkg/validation/strfmt",   // the costliest init before (4 ms)
	"k8s.io/kube-openapi/pkg/validation/validate", // OpenAPI validation krm-fn never runs
	"k8s.io/kube-openapi/pkg/internal/third_party/govalidator",
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/controller",
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks",
	// pkg/admin is allowed: `krm-fn migrate --transfers` reads an old
	// cluster's topics over the remoting protocol. It links only the
	// standard library and logr, and has no package init of note.
}

// TestDependencyDiet fails when krm-fn links a package it should not.
// docs/performance.md says why and what each one cost.
func TestDependencyDiet(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, "go list -deps: %s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/rocketmq-gitops/rocketmq-gitops/internal/fn", "go list found no dependencies of krm-fn")
	for _, dep := range deps {
		for _, heavy := range heavyPackages {
			if dep == heavy || strings.HasPrefix(dep, heavy+"/") {
				t.Errorf("krm-fn imports %s (under %s); find the import with `go list -deps -f '{{.ImportPath}}: {{.Imports}}' ./cmd/krm-fn` and move it out of krm-fn's packages", dep, heavy)
			}
		}
	}
}
