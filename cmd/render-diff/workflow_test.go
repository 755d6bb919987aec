package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// The example workflow is not run here; this keeps it in step with the
// tool: it must fetch full history (both revisions are checked out with
// git worktree) and call the make target with both revisions.
func TestPRWorkflowRunsTheDiff(t *testing.T) {
	data, err := os.ReadFile("../../.github/workflows/pr-diff.yaml")
	require.NoError(t, err)
	var wf struct {
		// YAML 1.1 reads the bare key `on` as true; GitHub reads it as "on".
		On   map[string]any `json:"true"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string         `json:"uses"`
				With map[string]any `json:"with"`
				Run  string         `json:"run"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &wf))
	assert.Contains(t, wf.On, "pull_request")
	job, ok := wf.Jobs["diff"]
	require.True(t, ok)
	var fullHistory, runsDiff, comments bool
	for _, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "actions/checkout@") {
			fullHistory = s.With["fetch-depth"] == float64(0)
		}
		if strings.Contains(s.Run, "make -s pr-diff") && strings.Contains(s.Run, "BASE=") && strings.Contains(s.Run, "HEAD=") {
			runsDiff = true
		}
		comments = comments || strings.Contains(s.Run, "gh pr comment")
	}
	assert.True(t, fullHistory, "checkout with fetch-depth: 0")
	assert.True(t, runsDiff, "runs make -s pr-diff BASE=... HEAD=...")
	assert.True(t, comments, "posts the result on the pull request")

	makefile, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	assert.Contains(t, string(makefile), "\npr-diff:", "the make target the workflow calls exists")
}
