package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
)

// addWorktree checks rev out, detached, into dir without touching the
// caller's working tree or index.
func addWorktree(ctx context.Context, repo, rev, dir string) error {
	cmd := exec.CommandContext(ctx, "git", "-C", repo, "worktree", "add", "--detach", "--quiet", dir, rev)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git worktree add %s: %w\n%s", rev, err, out)
	}
	return nil
}

// removeWorktree unregisters dir; a failure only leaves a stale entry
// that `git worktree prune` clears, so it is reported, not returned.
func removeWorktree(repo, dir string, stderr io.Writer) {
	cmd := exec.Command("git", "-C", repo, "worktree", "remove", "--force", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		_, _ = fmt.Fprintf(stderr, "render-diff: removing worktree %s: %v\n%s", dir, err, out)
	}
}
