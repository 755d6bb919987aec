package render

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func TestDashboard(t *testing.T) {
	c := everything(fullCluster("orders", "mq"))
	c.Spec.Dashboard.Image = "example.org/dashboard:2.1.0"
	objs := mustRender(t, c)
	dep := typed[appsv1.Deployment](t, find(t, objs, "Deployment", "orders-dashboard"))
	ctr := dep.Spec.Template.Spec.Containers[0]
	if ctr.Image != "example.org/dashboard:2.1.0" || len(ctr.Command) != 0 {
		t.Errorf("image %q command %q: the image's own entry point must run", ctr.Image, ctr.Command)
	}
	want := map[string]string{
		"SERVER_PORT":                   "8080",
		"ROCKETMQ_CONFIG_NAMESRVADDRS":  "orders-nameserver-0.orders-nameserver.mq.svc:9876;orders-nameserver-1.orders-nameserver.mq.svc:9876",
		"ROCKETMQ_CONFIG_PROXYADDRS":    "orders-proxy.mq.svc:8080",
		"ROCKETMQ_CONFIG_ISVIPCHANNEL":  "false",
		"ROCKETMQ_CONFIG_LOGINREQUIRED": "true",
		"ROCKETMQ_CONFIG_AUTHMODE":      "acl",
	}
	for k, v := range want {
		if got := envValue(ctr.Env, k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(envValue(ctr.Env, "JAVA_TOOL_OPTIONS"), "-Duser.home=/home/rocketmq") {
		t.Error("user.home is not moved to a writable place")
	}
	for env, key := range map[string]string{"ROCKETMQ_CONFIG_ACCESSKEY": "username", "ROCKETMQ_CONFIG_SECRETKEY": "password"} {
		e := envVar(ctr.Env, env)
		if e == nil || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil ||
			e.ValueFrom.SecretKeyRef.Name != "rocketmq-admin" || e.ValueFrom.SecretKeyRef.Key != key {
			t.Errorf("%s is not read from Secret key %s: %+v", env, key, e)
		}
	}
	svc := typed[corev1.Service](t, find(t, objs, "Service", "orders-dashboard"))
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 8080 || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		t.Errorf("dashboard Service %+v", svc.Spec)
	}
	if *dep.Spec.Replicas != 1 {
		t.Errorf("replicas %d", *dep.Spec.Replicas)
	}
}

func TestDashboardWithoutACLOrProxy(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.Dashboard.Enabled = true
	c.Spec.Dashboard.Image = ""
	ctr := typed[appsv1.Deployment](t, find(t, mustRender(t, c), "Deployment", "orders-dashboard")).Spec.Template.Spec.Containers[0]
	for _, name := range []string{"ROCKETMQ_CONFIG_ACCESSKEY", "ROCKETMQ_CONFIG_SECRETKEY", "ROCKETMQ_CONFIG_PROXYADDRS", "ROCKETMQ_CONFIG_LOGINREQUIRED"} {
		if envVar(ctr.Env, name) != nil {
			t.Errorf("%s set although disabled", name)
		}
	}
	if ctr.Image != "apacherocketmq/rocketmq-dashboard:2.1.0" {
		t.Errorf("default image %q", ctr.Image)
	}
}
