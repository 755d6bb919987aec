package v1alpha1

import (
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHandMatchersMatchRegexps compares each hand-written matcher with the
// regular expression it replaces, on edge cases and random strings.
func TestHandMatchersMatchRegexps(t *testing.T) {
	cases := []struct {
		name  string
		match func(string) bool
		re    *regexp.Regexp
	}{
		{"version", isRocketMQ5Version, regexp.MustCompile(versionPattern)},
		{"config key", isConfigKey, regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)},
		{"RocketMQ name", isRocketMQName, regexp.MustCompile(`^[%|a-zA-Z0-9_-]+$`)},
	}
	edges := []string{
		"", "5", "5.", "5.3", "5.3.3", "5.0.0", "5.10.21", "05.3.3", "5.03.3", "5.3.03", "5.3.3-SNAPSHOT", "5.3.3.1",
		"4.9.7", "6.0.0", "5..3", "5.3.", ".5.3.3", "5.a.3", "5.3.3 ", "a", "A1", "_a", "a_b.c-d", "a=b", "a b",
		"1a", "%RETRY%group", "a|b", "topic-1_x", "é", "a\n",
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "05.3aZ_-%|= é"
	for range 5000 {
		b := make([]byte, r.IntN(8))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		edges = append(edges, string(b))
	}
	for _, c := range cases {
		for _, s := range edges {
			assert.Equal(t, c.re.MatchString(s), c.match(s), "%s: %q", c.name, s)
		}
	}
}

// TestDefaultsMatchPatterns checks the defaults the matchers accept
// without compiling their patterns.
func TestDefaultsMatchPatterns(t *testing.T) {
	assert.True(t, imageNamePattern().MatchString(DefaultImage))
	assert.True(t, imageReferencePattern().MatchString(DefaultImage))
	assert.True(t, imageReferencePattern().MatchString(DefaultDashboardImage))
	assert.True(t, intervalPattern().MatchString(DefaultMetricsInterval))
	assert.True(t, isRocketMQ5Version(DefaultVersion))
}
