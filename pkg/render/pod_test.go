package render

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestJavaSize(t *testing.T) {
	tests := map[string]string{"1Gi": "1g", "512Mi": "512m", "1536Mi": "1536m", "3G": "3000000000", "1000": "1000", "100Ki": "100k"}
	for in, want := range tests {
		if got := javaSize(qty(in).Value()); got != want {
			t.Errorf("javaSize(%s) = %s, want %s", in, got, want)
		}
	}
}

// gcLogs is the tail of every JAVA_OPT_EXT: GC logs on the logs volume,
// rotated, instead of the image's /dev/shm.
const gcLogs = " -Xloggc:/home/rocketmq/logs/gc.log -XX:+UseGCLogFileRotation -XX:NumberOfGCLogFiles=5 -XX:GCLogFileSize=20m"

func TestJVMOptions(t *testing.T) {
	tests := []struct {
		name         string
		heap, direct *resource.Quantity
		want         string
	}{
		{"none", nil, nil, "-XX:ErrorFile=/home/rocketmq/logs/hs_err_pid%p.log" + gcLogs},
		{"heap", qty("2Gi"), nil, "-Xms2g -Xmx2g -Xmn1g -XX:ErrorFile=/home/rocketmq/logs/hs_err_pid%p.log" + gcLogs},
		{"heap and direct", qty("4Gi"), qty("8Gi"), "-Xms4g -Xmx4g -Xmn2g -XX:MaxDirectMemorySize=8g -XX:ErrorFile=/home/rocketmq/logs/hs_err_pid%p.log" + gcLogs},
	}
	for _, tt := range tests {
		if got := jvmOptions(tt.heap, tt.direct); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestImageAndHome(t *testing.T) {
	c := fullCluster("o", "mq")
	c.Spec.Image, c.Spec.Version = "registry.example/rocketmq", "5.3.1"
	if image(c) != "registry.example/rocketmq:5.3.1" || rocketmqHome(c) != "/home/rocketmq/rocketmq-5.3.1" {
		t.Errorf("image %s home %s", image(c), rocketmqHome(c))
	}
	ctr := statefulSetOf(t, mustRender(t, c), "o-broker-0").Spec.Template.Spec.Containers[0]
	if ctr.Image != "registry.example/rocketmq:5.3.1" || envValue(ctr.Env, "ROCKETMQ_HOME") != "/home/rocketmq/rocketmq-5.3.1" ||
		ctr.WorkingDir != "/home/rocketmq/rocketmq-5.3.1/bin" {
		t.Errorf("container %s env %v", ctr.Image, ctr.Env)
	}
}
