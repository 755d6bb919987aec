package v1alpha1

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func validTransfer() *TopicTransfer {
	return &TopicTransfer{Spec: TopicTransferSpec{
		Topic:          "orders",
		ConsumerGroups: []string{"billing", "shipping"},
		Source:         TransferEndpoint{ClusterRef: &ClusterReference{Name: "legacy"}},
		Target:         TransferEndpoint{NameServers: []string{"10.0.0.1:9876", "[::1]:9876"}, ClusterName: "East"},
	}}
}

func TestTopicTransferValidate(t *testing.T) {
	if errs := validTransfer().Validate(); len(errs) > 0 {
		t.Fatalf("valid transfer refused: %v", errs)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*TopicTransferSpec)
		field  string
	}{
		{"empty topic", func(s *TopicTransferSpec) { s.Topic = "" }, "spec.topic"},
		{"topic with a slash", func(s *TopicTransferSpec) { s.Topic = "a/b" }, "spec.topic"},
		{"topic too long", func(s *TopicTransferSpec) { s.Topic = strings.Repeat("t", 128) }, "spec.topic"},
		{"default topic", func(s *TopicTransferSpec) { s.Topic = "TBW102" }, "spec.topic"},
		{"rmq_sys_ topic", func(s *TopicTransferSpec) { s.Topic = "rmq_sys_wheel" }, "spec.topic"},
		{"retry topic", func(s *TopicTransferSpec) { s.Topic = "%RETRY%billing" }, "spec.topic"},
		{"dead-letter topic", func(s *TopicTransferSpec) { s.Topic = "%DLQ%billing" }, "spec.topic"},
		{"duplicate group", func(s *TopicTransferSpec) { s.ConsumerGroups = []string{"g", "g"} }, "spec.consumerGroups[1]"},
		{"system group", func(s *TopicTransferSpec) { s.ConsumerGroups = []string{"CID_RMQ_SYS_X"} }, "spec.consumerGroups[0]"},
		{"tools group", func(s *TopicTransferSpec) { s.ConsumerGroups = []string{"ok", "TOOLS_CONSUMER"} }, "spec.consumerGroups[1]"},
		{"group too long", func(s *TopicTransferSpec) { s.ConsumerGroups = []string{strings.Repeat("g", 256)} }, "spec.consumerGroups[0]"},
		{"both ends of source", func(s *TopicTransferSpec) { s.Source.NameServers = []string{"a:1"} }, "spec.source"},
		{"neither end of target", func(s *TopicTransferSpec) { s.Target = TransferEndpoint{} }, "spec.target"},
		{"empty cluster ref", func(s *TopicTransferSpec) { s.Source.ClusterRef.Name = "" }, "spec.source.clusterRef.name"},
		{"nameServers without clusterName", func(s *TopicTransferSpec) { s.Target.ClusterName = "" }, "spec.target.clusterName"},
		{"NameServer without port", func(s *TopicTransferSpec) { s.Target.NameServers = []string{"10.0.0.1"} }, "spec.target.nameServers[0]"},
		{"NameServer port 0", func(s *TopicTransferSpec) { s.Target.NameServers = []string{"ns:0"} }, "spec.target.nameServers[0]"},
		{"source is target", func(s *TopicTransferSpec) { s.Target = *s.Source.DeepCopy() }, "spec.target"},
		{"zero drain timeout", func(s *TopicTransferSpec) { s.DrainTimeout = &metav1.Duration{} }, "spec.drainTimeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tt := validTransfer()
			tc.mutate(&tt.Spec)
			errs := tt.Validate()
			if len(errs) == 0 {
				t.Fatal("accepted")
			}
			for _, e := range errs {
				if e.Field == tc.field {
					return
				}
			}
			t.Fatalf("no error on %s: %v", tc.field, errs)
		})
	}
}

func TestTopicTransferDefaults(t *testing.T) {
	var s TopicTransferSpec
	if got := s.DrainTimeoutOrDefault(); got != 10*time.Minute {
		t.Errorf("default drain timeout %v", got)
	}
	if !s.DeleteSourceTopicOrDefault() {
		t.Error("deleteSourceTopic must default to true")
	}
	e := TransferEndpoint{ClusterRef: &ClusterReference{Name: "east"}}
	if got := e.EndpointClusterName(); got != "east" {
		t.Errorf("cluster name of a ref: %q", got)
	}
	e.ClusterName = "EastCluster"
	if got := e.EndpointClusterName(); got != "EastCluster" {
		t.Errorf("cluster name override: %q", got)
	}
}

func TestStepNames(t *testing.T) {
	want := []TransferStep{StepCheck, StepSnapshot, StepCreateOnTarget, StepSourceReadOnly, StepDrain, StepDeleteFromSource, StepDone}
	for i, w := range want {
		if got := StepName(int32(i + 1)); got != w {
			t.Errorf("step %d: %q, want %q", i+1, got, w)
		}
	}
	if StepName(0) != "" || StepName(8) != "" {
		t.Error("out-of-range steps must have no name")
	}
	for _, p := range []TransferPhase{TransferSucceeded, TransferRolledBack, TransferFailed} {
		if !p.Final() {
			t.Errorf("%s must be final", p)
		}
	}
	for _, p := range []TransferPhase{"", TransferPending, TransferRunning, TransferRollingBack} {
		if p.Final() {
			t.Errorf("%q must not be final", p)
		}
	}
}
