package render

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/javaprops"
)

// scriptRun is the result of running a start script under /bin/sh.
type scriptRun struct {
	conf   string // the config file the launcher was started with
	args   []string
	stderr string
	err    error
	// lookups are the names the script asked getent to resolve.
	lookups []string
}

// getentStub stands in for getent on the sandbox's PATH, so no test does
// a real DNS lookup: it logs each name asked for and fails the first
// $GETENT_FAILS calls (none unless set).
const getentStub = `#!/bin/sh
echo "$2" >> "$GETENT_LOG"
[ "$(wc -l < "$GETENT_LOG")" -gt "${GETENT_FAILS:-0}" ]
`

// runStartScript runs a rendered start script in a sandbox: the template
// and config directories are moved under a temporary directory, and
// $ROCKETMQ_HOME/bin holds fake launchers that record their arguments
// instead of starting a JVM. The scripts only do text processing, so this
// exercises exactly the code that runs in the pod.
func runStartScript(t *testing.T, script string, templates map[string]string, env map[string]string) scriptRun {
	t.Helper()
	root := t.TempDir()
	tmplDir, cfgDir, home := filepath.Join(root, "tmpl"), filepath.Join(root, "conf"), filepath.Join(root, "home")
	stubs, getentLog := filepath.Join(root, "stubs"), filepath.Join(root, "getent.log")
	for _, d := range []string{tmplDir, cfgDir, filepath.Join(home, "bin"), stubs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range templates {
		if err := os.WriteFile(filepath.Join(tmplDir, name), []byte(content), 0o444); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range []string{"mqbroker", "mqcontroller", "mqproxy", "mqnamesrv"} {
		fake := "printf '%s\\n' \"$@\" > \"$ROCKETMQ_HOME/args\"\n"
		if err := os.WriteFile(filepath.Join(home, "bin", l), []byte(fake), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(stubs, "getent"), []byte(getentStub), 0o755); err != nil {
		t.Fatal(err)
	}
	script = strings.ReplaceAll(script, templateDir, tmplDir)
	script = strings.ReplaceAll(script, confDir, cfgDir)

	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Env = []string{"PATH=" + stubs + ":/usr/bin:/bin", "ROCKETMQ_HOME=" + home, "GETENT_LOG=" + getentLog}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	run := scriptRun{err: cmd.Run(), stderr: stderr.String()}
	if b, err := os.ReadFile(getentLog); err == nil {
		run.lookups = strings.Fields(string(b))
	}
	if b, err := os.ReadFile(filepath.Join(home, "args")); err == nil {
		run.args = strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(run.args) >= 2 {
			if conf, err := os.ReadFile(run.args[len(run.args)-1]); err == nil {
				run.conf = string(conf)
			}
		}
	}
	return run
}

// loadProperties reads a properties file the scripts wrote. Every line
// the scripts append must be `key=value`; javaprops reads it as
// java.util.Properties.load would.
func loadProperties(t *testing.T, text string) map[string]string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimLeft(line, " \t")
		if line != "" && line[0] != '#' && !strings.Contains(line, "=") {
			t.Fatalf("properties line without '=': %q", line)
		}
	}
	return javaprops.Decode([]byte(text))
}

func TestOrdinalSnippet(t *testing.T) {
	tests := []struct {
		pod     string
		want    string
		wantErr bool
	}{
		{pod: "orders-broker-0-0", want: "0"},
		{pod: "my-orders-broker-1-2", want: "2"},
		{pod: "a-b-c-d-controller-12", want: "12"},
		{pod: "no-ordinal-", wantErr: true},
		{pod: "broker-x", wantErr: true},
		{pod: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.pod, func(t *testing.T) {
			cmd := exec.Command("/bin/sh", "-c", script(ordinalSnippet, `printf '%s' "$ordinal"`))
			cmd.Env = []string{"PATH=/usr/bin:/bin", "POD_NAME=" + tt.pod}
			out, err := cmd.Output()
			if tt.wantErr {
				if err == nil {
					t.Fatalf("pod %q: want failure, got ordinal %q", tt.pod, out)
				}
				return
			}
			if err != nil || string(out) != tt.want {
				t.Fatalf("pod %q: got %q, %v; want %q", tt.pod, out, err, tt.want)
			}
		})
	}
}
