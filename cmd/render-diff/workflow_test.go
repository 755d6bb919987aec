package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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
				ID   string         `json:"id"`
				If   string         `json:"if"`
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
	var fullHistory, runsDiff, comments, failsLast bool
	for _, s := range job.Steps {
		if strings.HasPrefix(s.Uses, "actions/checkout@") {
			fullHistory = s.With["fetch-depth"] == float64(0)
		}
		if strings.Contains(s.Run, "make -s pr-diff") && strings.Contains(s.Run, "BASE=") && strings.Contains(s.Run, "HEAD=") {
			runsDiff = true
			// A failed render must not skip the comment: the status is
			// kept for the last step instead of failing this one.
			assert.Equal(t, "render", s.ID)
			assert.Contains(t, s.Run, "|| status=$?")
			assert.Contains(t, s.Run, `echo "status=$status" >> "$GITHUB_OUTPUT"`)
		}
		if strings.Contains(s.Run, "hack/pr-diff-comment.sh") {
			comments = true
			assert.True(t, runsDiff, "the comment step comes after the render")
			assert.Contains(t, s.If, "!cancelled()", "runs after a failed render too")
		}
		assert.NotContains(t, s.Run, "--edit-last", "the comment is found by its marker, not as the last one")
		if comments && strings.Contains(s.If, "steps.render.outputs.status != '0'") && strings.Contains(s.Run, "exit 1") {
			failsLast = true
		}
	}
	assert.True(t, fullHistory, "checkout with fetch-depth: 0")
	assert.True(t, runsDiff, "runs make -s pr-diff BASE=... HEAD=...")
	assert.True(t, comments, "posts the result on the pull request with hack/pr-diff-comment.sh")
	assert.True(t, failsLast, "a render error fails the job after the comment is posted")

	makefile, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	assert.Contains(t, string(makefile), "\npr-diff:", "the make target the workflow calls exists")
}

// fakeGH stands in for gh: it logs its arguments, answers the comment
// listing by applying gh's --jq filter (with jq) to $FAKE_COMMENTS, and
// keeps the body of a PATCH or POST.
const fakeGH = `#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$*" >> "$FAKE_OUT/calls"
prev=
for a in "$@"; do
  case $a in body=@*) cp "${a#body=@}" "$FAKE_OUT/body" ;; esac
  if [ "$prev" = --jq ]; then jq -r "$a" <<<"$FAKE_COMMENTS"; fi
  prev=$a
done
`

type commentRun struct{ calls, body string }

func runCommentScript(t *testing.T, comments, report, log string, env ...string) commentRun {
	t.Helper()
	_, err := exec.LookPath("jq")
	require.NoError(t, err, "the fake gh needs jq")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "gh"), []byte(fakeGH), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "report.md"), []byte(report), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "render.log"), []byte(log), 0o644))
	cmd := exec.Command("../../hack/pr-diff-comment.sh", "o/r", "7", filepath.Join(dir, "report.md"), filepath.Join(dir, "render.log"))
	cmd.Env = append(os.Environ(), append([]string{"PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"FAKE_OUT=" + dir, "FAKE_COMMENTS=" + comments}, env...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	calls, err := os.ReadFile(filepath.Join(dir, "calls"))
	require.NoError(t, err)
	body, err := os.ReadFile(filepath.Join(dir, "body"))
	require.NoError(t, err)
	return commentRun{calls: string(calls), body: string(body)}
}

const marker = "<!-- rocketmq-gitops rendered diff -->"

func TestCommentScriptUpdatesTheMarkedComment(t *testing.T) {
	comments := `[{"id": 1, "body": "LGTM"}, {"id": 2, "body": "quoting: ` + marker + `"},
		{"id": 3, "body": "` + marker + `\n## Rendered diff a → b"}]`
	r := runCommentScript(t, comments, "## Rendered diff a → c\n", "")
	assert.Contains(t, r.calls, "api --paginate repos/o/r/issues/7/comments --jq")
	assert.Contains(t, r.calls, "api --method PATCH repos/o/r/issues/comments/3 -F body=@")
	assert.NotContains(t, r.calls, "POST")
	assert.Equal(t, marker+"\n## Rendered diff a → c\n", r.body)
}

func TestCommentScriptCreatesTheComment(t *testing.T) {
	r := runCommentScript(t, `[{"id": 1, "body": "LGTM"}]`, "## Rendered diff a → c\n", "")
	assert.Contains(t, r.calls, "api --method POST repos/o/r/issues/7/comments -F body=@")
	assert.NotContains(t, r.calls, "PATCH")
	assert.Equal(t, marker+"\n## Rendered diff a → c\n", r.body)
}

// An empty report (render-diff never ran) still replaces the old diff,
// with the end of the log.
func TestCommentScriptPostsTheLogOfAFailure(t *testing.T) {
	r := runCommentScript(t, `[]`, "", "go: downloading\nmake: *** [pr-diff] Error 1\n")
	assert.Equal(t, marker+"\n## Rendered diff\n\n**Render failed** before render-diff wrote a report; the end of its log:\n\n"+
		"```text\ngo: downloading\nmake: *** [pr-diff] Error 1\n```\n", r.body)
}

// A long report is cut after a whole line, so a multi-byte character is
// never split, and says it was cut.
func TestCommentScriptCutsOnALineBoundary(t *testing.T) {
	line := strings.Repeat("→", 30) + "\n" // 91 bytes
	report := strings.Repeat(line, 40)
	r := runCommentScript(t, `[]`, report, "", "MAX_BYTES=2000")
	assert.True(t, utf8.ValidString(r.body))
	assert.LessOrEqual(t, len(r.body), 2000)
	kept := strings.TrimPrefix(r.body, marker+"\n")
	i := strings.Index(kept, "\n_Cut here")
	require.Positive(t, i, "body: %s", r.body)
	assert.Equal(t, strings.Repeat(line, i/len(line)), kept[:i])
	assert.Greater(t, i/len(line), 15)
}
