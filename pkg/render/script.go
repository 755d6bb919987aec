package render

import (
	"strings"
)

// The start scripts below run under the image's /bin/sh (dash on the
// Ubuntu-based apache/rocketmq image), so they use POSIX sh only: no
// arrays, no [[ ]], no ${var//x/y}.

const (
	envACLUser     = "ACL_USERNAME"
	envACLPassword = "ACL_PASSWORD"
)

// ordinalSnippet sets $ordinal to the pod's StatefulSet ordinal: the text
// after the LAST '-' of the pod name, so cluster names that contain '-'
// (my-orders-broker-1-2 → 2) work. It refuses anything that is not a number
// instead of starting with a wrong identity.
const ordinalSnippet = `ordinal="${POD_NAME##*-}"
case "$ordinal" in
  ''|*[!0-9]*) echo "cannot derive the pod ordinal from POD_NAME=$POD_NAME" >&2; exit 1 ;;
esac
`

// escapeSnippet defines json_escape (for a JSON string body) and
// props_escape (for a Java properties value, where '\' is an escape).
// Credentials are written with printf '%s', so no character in them is
// interpreted by the shell.
const escapeSnippet = `json_escape() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
props_escape() { sed -e 's/\\/\\\\/g'; }
`

// credentialsSnippet sets $acl_user and $acl_pass, JSON-escaped, from the
// env that the admin Secret fills, and fails fast when the Secret lacks
// them or they are not printable ASCII. The broker reads broker.conf with
// Properties.load(InputStream) (BrokerStartup), which decodes ISO-8859-1:
// a non-ASCII password would be stored garbled as the admin and inner
// user while the Proxy (rmq-proxy.json is read as UTF-8) and clients sign
// with the real one. A line break (say, a trailing newline in the Secret)
// would cut the properties line and the JSON in it.
const credentialsSnippet = escapeSnippet + `: "${` + envACLUser + `:?ACL is enabled but ` + envACLUser + ` is empty}"
: "${` + envACLPassword + `:?ACL is enabled but ` + envACLPassword + ` is empty}"
require_ascii() {
  if [ "$(printf '%s' "$2" | LC_ALL=C tr -d ' -~' | wc -c)" -ne 0 ]; then
    echo "$1 must be printable ASCII (no line breaks, no accented letters): the broker reads its config as ISO-8859-1" >&2
    exit 1
  fi
}
require_ascii ` + envACLUser + ` "$` + envACLUser + `"
require_ascii ` + envACLPassword + ` "$` + envACLPassword + `"
acl_user=$(json_escape "$` + envACLUser + `")
acl_pass=$(json_escape "$` + envACLPassword + `")
`

// copyTemplate copies the read-only ConfigMap file into the writable
// config directory. The process runs with the copy: the broker persists
// runtime config updates (UPDATE_BROKER_CONFIG) into the file it was
// started with, and they then last until the next restart, which starts
// again from Git's version.
func copyTemplate(file string) string {
	return `conf="` + confDir + `/` + file + `"
cp "` + templateDir + `/` + file + `" "$conf"
chmod u+w "$conf"
`
}

// script joins snippets into one `sh -c` program that stops at the first
// failing command.
func script(parts ...string) string {
	return "set -eu\n" + strings.Join(parts, "")
}

// execLine starts a RocketMQ launcher from $ROCKETMQ_HOME/bin in place of
// the shell.
func execLine(launcher string, args ...string) string {
	line := `exec sh "$ROCKETMQ_HOME/bin/` + launcher + `"`
	for _, a := range args {
		line += " " + a
	}
	return line + "\n"
}

// stopJavaScript is the preStop hook of every RocketMQ container. The
// launchers (mqbroker → runbroker.sh → java) do not exec java, so the
// container's PID 1 is a shell, which ignores SIGTERM; without this hook
// java would only ever see SIGKILL at the end of the grace period, and a
// broker would skip its shutdown (flush, unregister) and recover its commit
// log on every restart. The hook sends SIGTERM to the JVM and waits for it
// to exit; then the launcher shells exit and the container stops. /proc
// here is the container's own PID namespace.
const stopJavaScript = `for p in /proc/[0-9]*; do
  comm=; read -r comm 2>/dev/null < "$p/comm" || true
  if [ "$comm" = java ]; then kill -TERM "${p#/proc/}" 2>/dev/null || true; fi
done
while :; do
  alive=
  for p in /proc/[0-9]*; do
    comm=; read -r comm 2>/dev/null < "$p/comm" || true
    if [ "$comm" = java ]; then alive=1; fi
  done
  if [ -z "$alive" ]; then exit 0; fi
  sleep 1
done
`
