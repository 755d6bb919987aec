package v1alpha1

import (
	"regexp"
	"sync"
)

// The patterns validation checks strings against. krm-fn is a short-lived
// process that validates one spec, so compiling every regular expression
// at package init cost more than the render (the image reference grammar
// alone was about a tenth of a `krm-fn render`). Simple character classes
// are checked by hand; the grammars compile on first use, and the
// defaults, which every spec that leaves the field unset carries, are
// accepted without compiling (TestDefaultsMatchPatterns checks they match).

var (
	imageNamePattern      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + imageName + `$`) })
	imageReferencePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + imageReference + `$`) })

	// intervalPattern is a Prometheus duration, as ServiceMonitor accepts it.
	intervalPattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`)
	})
)

// isImageName says whether s is an image repository without tag or digest.
func isImageName(s string) bool {
	return s == DefaultImage || imageNamePattern().MatchString(s)
}

// isImageReference says whether s is an image reference (tag and digest
// allowed).
func isImageReference(s string) bool {
	return s == DefaultDashboardImage || s == DefaultImage || imageReferencePattern().MatchString(s)
}

// isInterval says whether s is a Prometheus duration.
func isInterval(s string) bool {
	return s == DefaultMetricsInterval || intervalPattern().MatchString(s)
}

// versionPattern is the CRD's pattern for spec.version;
// isRocketMQ5Version checks the same by hand.
const versionPattern = `^5\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`

// isRocketMQ5Version says whether s is a RocketMQ 5 release: 5.minor.patch
// without leading zeros or suffix. The version is the image tag and part
// of the install path inside the image, so suffixes are refused.
func isRocketMQ5Version(s string) bool {
	if len(s) < 2 || s[:2] != "5." {
		return false
	}
	rest, ok := cutNumber(s[2:])
	if !ok || len(rest) < 2 || rest[0] != '.' {
		return false
	}
	rest, ok = cutNumber(rest[1:])
	return ok && rest == ""
}

// cutNumber removes a decimal number without leading zeros from the start
// of s.
func cutNumber(s string) (string, bool) {
	n := 0
	for n < len(s) && isASCIIDigit(s[n]) {
		n++
	}
	if n == 0 || (n > 1 && s[0] == '0') {
		return "", false
	}
	return s[n:], true
}

// isConfigKey says whether s may be a broker.conf key: a letter, then
// letters, digits, '_', '.' or '-'. Java properties would accept more, but
// '=', ':', whitespace, '#', '!' and '\' change how the line parses, and
// every RocketMQ setting is a Java identifier (some plugin settings add
// dots or dashes).
func isConfigKey(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isASCIILetter(c) && !isASCIIDigit(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// isRocketMQName says whether s uses only the characters RocketMQ's
// TopicValidator allows in topic and group names: letters, digits, '%',
// '|', '_' and '-'.
func isRocketMQName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !isASCIILetter(c) && !isASCIIDigit(c) && c != '%' && c != '|' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }
