package v1alpha1

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// releaseVersion is a parsed spec.version (major.minor.patch).
type releaseVersion [3]int

// parseReleaseVersion reads a version that isRocketMQ5Version accepts; ok is
// false for anything else, and then the version error alone is reported.
func parseReleaseVersion(s string) (releaseVersion, bool) {
	if !isRocketMQ5Version(s) {
		return releaseVersion{}, false
	}
	var v releaseVersion
	for i, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil { // a number too large for int
			return releaseVersion{}, false
		}
		v[i] = n
	}
	return v, true
}

// before reports whether v is an older release than w.
func (v releaseVersion) before(w releaseVersion) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

// Version gates: features whose RocketMQ code is missing or broken in
// older releases.
var (
	// aclMinVersion: ACL 2.0 (AuthConfig, authenticationEnabled,
	// initAuthenticationUser) exists from 5.3.0. Older brokers and Proxies
	// ignore every key the renderer writes, so ACL would be silently off.
	aclMinVersion = releaseVersion{5, 3, 0}
	// jRaftFixedAfter: up to 5.3.3 the jRaft controller's
	// RaftBrokerHeartBeatManager.scanNotActiveBroker stops scanning after its
	// first second (apache/rocketmq ISSUE #9717, fixed after 5.3.3), so a
	// hung master is never replaced.
	jRaftFixedAfter = releaseVersion{5, 3, 3}
)

// validateVersionGates refuses features that spec.version does not
// support. The version is always known: spec.image is a repository without
// tag and spec.version is its tag, so a mirrored or custom image must carry
// the RocketMQ release as its tag. An unparsable version is reported by
// validateImage and skips the gates.
func (s *RocketMQClusterSpec) validateVersionGates(spec *field.Path) field.ErrorList {
	v, ok := parseReleaseVersion(s.Version)
	if !ok {
		return nil
	}
	var errs field.ErrorList
	if s.ACL.Enabled && v.before(aclMinVersion) {
		errs = append(errs, field.Invalid(spec.Child("acl", "enabled"), true, fmt.Sprintf(
			"ACL 2.0 needs RocketMQ 5.3.0 or later, and spec.version is %s: older brokers and Proxies have no AuthConfig and ignore every ACL setting, so the cluster would run without authentication; set spec.version to 5.3.0 or later",
			s.Version)))
	}
	if c := s.Controller; c != nil && c.Type == ControllerJRaft && s.Broker.Mode == BrokerModeController && !jRaftFixedAfter.before(v) {
		errs = append(errs, field.Invalid(spec.Child("controller", "type"), string(c.Type), fmt.Sprintf(
			"the jRaft controller of RocketMQ 5.3.3 and older (spec.version is %s) stops scanning for dead brokers after its first second (RaftBrokerHeartBeatManager.scanNotActiveBroker, apache/rocketmq ISSUE #9717), so a hung master is never replaced; use type DLedger or a spec.version above 5.3.3",
			s.Version)))
	}
	return errs
}
