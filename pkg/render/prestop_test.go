package render

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStopJavaScript runs the preStop hook inside a fresh PID namespace
// (unshare), next to a fake "java" that takes a second to shut down on
// SIGTERM, and checks that the hook signals it and waits for it to exit.
// The namespace keeps the hook from seeing any process of the machine; the
// test skips where unshare is not permitted. Exit codes of the wrapper:
// 90/91 namespace guard, 92 fake java did not start, 93 hook failed, 94
// hook returned before java exited.
func TestStopJavaScript(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed")
	}
	if err := exec.Command("unshare", "-p", "-f", "--mount-proc", "true").Run(); err != nil {
		t.Skipf("cannot create a PID namespace here: %v", err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "stopped")
	// The fake says it is ready only once its trap is set: a SIGTERM
	// before that would kill it outright, which a JVM stopped long after
	// its start never sees (and which made this test flaky under load).
	fake := "#!/bin/sh\ntrap 'sleep 1; echo graceful > \"$OUT\"; exit 0' TERM\n: > \"$OUT.ready\"\nwhile :; do sleep 0.1; done\n"
	if err := os.WriteFile(filepath.Join(dir, "java"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	// The guard refuses to run the hook unless this shell is PID 1 of a
	// namespace whose /proc holds only a handful of processes.
	wrapper := `[ "$$" = 1 ] || exit 90
n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; [ "$n" -lt 10 ] || exit 91
"$DIR/java" &
i=0; until [ -e "$OUT.ready" ] && grep -qx java /proc/[0-9]*/comm 2>/dev/null; do i=$((i+1)); [ $i -lt 100 ] || exit 92; sleep 0.1; done
sh -c "$HOOK" || exit 93
# java writes its file as the last thing before exiting: if the hook had
# returned without waiting, the file would not be there yet.
[ -s "$OUT" ] || exit 94
`
	cmd := exec.Command("unshare", "-p", "-f", "--mount-proc", "sh", "-c", wrapper)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "DIR=" + dir, "OUT=" + out, "HOOK=" + stopJavaScript}
	cmd.WaitDelay = 10 * time.Second
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("hook run failed: %v\n%s", err, got)
	}
	if b, _ := os.ReadFile(out); strings.TrimSpace(string(b)) != "graceful" {
		t.Fatalf("fake java did not shut down gracefully (output %q)", got)
	}
}
