package migrate

import (
	"regexp"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// officialImage is the image the renderer knows the layout of
// (/home/rocketmq/rocketmq-<version>, uid 3000, docker-entrypoint.sh).
const officialImage = "apache/rocketmq"

// tagVersion reads the RocketMQ version at the start of a tag:
// "5.3.1", "5.1.4-alpine-operator-0.4.0", "4.5.0-alpine".
var tagVersion = regexp.MustCompile(`^([0-9]+)\.([0-9]+)\.([0-9]+)`)

// splitImage splits "registry/repo:tag@digest" into repository and tag.
func splitImage(image string) (repo, tag string) {
	image, _, _ = strings.Cut(image, "@")
	slash := strings.LastIndex(image, "/")
	if colon := strings.LastIndex(image, ":"); colon > slash {
		return image[:colon], image[colon+1:]
	}
	return image, ""
}

// imageVersion is the RocketMQ version an image tag names, "" if none.
func imageVersion(image string) (version string, major string) {
	_, tag := splitImage(image)
	m := tagVersion.FindStringSubmatch(tag)
	if m == nil {
		return "", ""
	}
	return m[0], m[1]
}

// isOfficialImage says whether repo is apache/rocketmq, from Docker Hub or
// a mirror that keeps its path.
func isOfficialImage(repo string) bool {
	return repo == officialImage || strings.HasSuffix(repo, "/"+officialImage)
}

// brokerImage sets spec.version (and spec.image for a mirror of the
// official image) from the Broker's image, and reports what changes.
func (cv *converter) brokerImage(ref resourceRef, image string) {
	spec := &cv.cluster.Spec
	repo, _ := splitImage(image)
	version, major := imageVersion(image)
	switch {
	case major == "5":
		spec.Version = version
	case version != "":
		cv.report.changed(ref, "spec.brokerImage", "%s runs RocketMQ %s; the new cluster runs RocketMQ %s (RocketMQ 4 clients work with 5 brokers). "+
			"Set spec.version to another 5.x release if you need one", image, version, v1alpha1.DefaultVersion)
	default:
		cv.report.changed(ref, "spec.brokerImage", "no RocketMQ version in the tag of %s; the new cluster runs RocketMQ %s: check spec.version",
			image, v1alpha1.DefaultVersion)
	}
	cv.version = spec.Version
	if cv.version == "" {
		cv.version = v1alpha1.DefaultVersion
	}
	if isOfficialImage(repo) {
		if repo != officialImage {
			spec.Image = repo
		}
		return
	}
	cv.report.changed(ref, "spec.brokerImage", "%s is an operator image with its own start scripts (brokerGenConfig.sh, /root/store); "+
		"every component of the new cluster runs the official %s:%s image", repo, officialImage, cv.version)
}

// componentImage reports an image of another component that the new
// cluster replaces by the cluster-wide one.
func (cv *converter) componentImage(ref resourceRef, field, image string) {
	repo, _ := splitImage(image)
	version, _ := imageVersion(image)
	if isOfficialImage(repo) && version == cv.version {
		return
	}
	cv.report.changed(ref, field, "%s is replaced by %s:%s, the image and version of the whole new cluster (taken from the Broker)",
		image, officialImage, cv.version)
}
