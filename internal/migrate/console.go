package migrate

import (
	"sort"
	"strings"
)

// consoleRepos are the dashboard images, under their old and new names.
var consoleRepos = map[string]bool{"apacherocketmq/rocketmq-console": true, "apacherocketmq/rocketmq-dashboard": true}

// deploymentPath is where the Console keeps its Deployment.
const deploymentPath = "spec.consoleDeployment"

// console turns the Console's Deployment into the dashboard: replicas,
// image and resources of its first container. The rest of the Deployment
// is reported field by field.
func (cv *converter) console(it *item[console]) error {
	if it == nil {
		return nil
	}
	ref := it.ref
	d := &it.obj.Spec.ConsoleDeployment
	dash := &cv.cluster.Spec.Dashboard
	dash.Enabled = true
	if d.Spec.Replicas != nil {
		dash.Replicas = ptrInt32(*d.Spec.Replicas)
	}
	if cs := d.Spec.Template.Spec.Containers; len(cs) > 0 {
		dash.Image = cs[0].Image
		dash.Resources = *cs[0].Resources.DeepCopy()
		cv.consoleImage(ref, cs[0].Image)
		cv.pullPolicy(ref, cs[0].ImagePullPolicy)
	}
	cv.pullSecrets(d.Spec.Template.Spec.ImagePullSecrets)
	cv.reportDeployment(ref, consoleDeploymentRaw(it.raw))
	if it.obj.Spec.NameServers != "" {
		cv.report.changed(ref, "spec.nameServers", "the dashboard watches the new cluster's NameServers")
	}
	return nil
}

func (cv *converter) consoleImage(ref resourceRef, image string) {
	repo, _ := splitImage(image)
	if !consoleRepos[repo] {
		cv.report.changed(ref, deploymentPath+".spec.template.spec.containers[0].image", "%s is kept as the dashboard image; "+
			"the renderer configures it like apacherocketmq/rocketmq-dashboard (Spring settings in environment variables, port 8080): check that it accepts that", image)
	}
	if repo == "apacherocketmq/rocketmq-console" {
		cv.report.changed(ref, deploymentPath+".spec.template.spec.containers[0].image", "%s is kept; the console is now "+
			"apacherocketmq/rocketmq-dashboard (2.1.0 is the default when spec.dashboard.image is removed)", image)
	}
}

func consoleDeploymentRaw(raw map[string]any) map[string]any {
	spec, _ := raw["spec"].(map[string]any)
	d, _ := spec["consoleDeployment"].(map[string]any)
	return d
}

// deploymentCarried are the Deployment fields the dashboard takes, or that
// only wire the Deployment to its pods (the renderer writes its own).
var deploymentCarried = map[string]bool{
	"apiVersion": true, "kind": true, "metadata": true,
	"spec.replicas": true, "spec.selector": true, "spec.template.metadata.labels": true,
	"spec.template.spec.imagePullSecrets":              true,
	"spec.template.spec.containers[0].name":            true,
	"spec.template.spec.containers[0].image":           true,
	"spec.template.spec.containers[0].imagePullPolicy": true,
	"spec.template.spec.containers[0].resources":       true,
	"spec.template.spec.containers[0].ports":           true,
}

// deploymentWalked are the objects whose keys are reported one by one.
var deploymentWalked = map[string]bool{
	"spec": true, "spec.template": true, "spec.template.metadata": true, "spec.template.spec": true,
	"spec.template.spec.containers[0]": true,
}

// reportDeployment reports every set field of the Console's Deployment
// that the dashboard does not take.
func (cv *converter) reportDeployment(ref resourceRef, d map[string]any) {
	var paths []string
	walkDeployment("", d, &paths)
	sort.Strings(paths)
	for _, p := range paths {
		cv.report.dropped(ref, deploymentPath+"."+p, "the dashboard is rendered from spec.dashboard (image, replicas, resources, placement); "+
			"the rest of the Console's Deployment is not carried over")
	}
}

func walkDeployment(prefix string, obj map[string]any, out *[]string) {
	for k, v := range obj {
		p := strings.TrimPrefix(prefix+"."+k, ".")
		if k == "containers" && prefix == "spec.template.spec" {
			walkContainers(p, v, out)
			continue
		}
		child, isMap := v.(map[string]any)
		switch {
		case deploymentCarried[p]:
		case deploymentWalked[p] && isMap:
			walkDeployment(p, child, out)
		default:
			*out = append(*out, p)
		}
	}
}

func walkContainers(p string, v any, out *[]string) {
	list, _ := v.([]any)
	for i, c := range list {
		cp := p + "[" + itoa(i) + "]"
		m, isMap := c.(map[string]any)
		if i > 0 || !isMap {
			*out = append(*out, cp)
			continue
		}
		walkDeployment(cp, m, out)
	}
}
