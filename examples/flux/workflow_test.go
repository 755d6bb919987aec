package flux_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/exampletest"
)

var (
	commitPin  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	releaseTag = regexp.MustCompile(`^v\d+(\.\d+){0,2}$`)
)

// The workflow that renders and pushes the Flux artifact runs actions at a
// fixed version: the Flux CLI installer by commit (it is pushed with the
// registry token), the others at least at a release tag, none at a branch.
func TestFluxArtifactWorkflowPinsItsActions(t *testing.T) {
	path := filepath.Join(exampletest.ModuleRoot(t), ".github", "workflows", "flux-artifact.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string         `json:"uses"`
				With map[string]any `json:"with"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &wf))
	flux := false
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Uses == "" {
				continue
			}
			action, ref, ok := strings.Cut(s.Uses, "@")
			require.True(t, ok, "%s: no version", s.Uses)
			if action == "fluxcd/flux2/action" {
				flux = true
				assert.Regexp(t, commitPin, ref, "the Flux action is pinned by commit")
				version, _ := s.With["version"].(string)
				assert.Contains(t, string(data), s.Uses+" # v"+version,
					"the pinned commit is named by its tag, the Flux version it installs")
				continue
			}
			assert.True(t, commitPin.MatchString(ref) || releaseTag.MatchString(ref), "%s: pin a release tag or a commit", s.Uses)
		}
	}
	assert.True(t, flux, "the workflow installs the Flux CLI with fluxcd/flux2/action")
}
