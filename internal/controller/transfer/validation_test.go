package transfer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestCRDRejectsInvalidSpecs: what the schema can express, the API server
// refuses, with the schema's message.
func TestCRDRejectsInvalidSpecs(t *testing.T) {
	ns := env.NewNamespace(t, "restricted")
	valid := func() v1alpha1.TopicTransferSpec {
		return v1alpha1.TopicTransferSpec{
			Topic:  "orders",
			Source: v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: "a"}},
			Target: v1alpha1.TransferEndpoint{NameServers: []string{"10.0.0.1:9876"}, ClusterName: "B"},
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*v1alpha1.TopicTransferSpec)
		want   string
	}{
		{"both clusterRef and nameServers", func(s *v1alpha1.TopicTransferSpec) {
			s.Source.NameServers = []string{"10.0.0.2:9876"}
		}, "exactly one of clusterRef or nameServers"},
		{"neither", func(s *v1alpha1.TopicTransferSpec) { s.Target = v1alpha1.TransferEndpoint{} }, "exactly one of clusterRef or nameServers"},
		{"nameServers without clusterName", func(s *v1alpha1.TopicTransferSpec) { s.Target.ClusterName = "" }, "clusterName is required with nameServers"},
		{"same cluster twice", func(s *v1alpha1.TopicTransferSpec) { s.Target = s.Source }, "source and target must be different clusters"},
		{"same NameServers and cluster name", func(s *v1alpha1.TopicTransferSpec) { s.Source = *s.Target.DeepCopy() }, "source and target must be different clusters"},
		{"topic with a space", func(s *v1alpha1.TopicTransferSpec) { s.Topic = "my orders" }, "spec.topic"},
		{"empty topic", func(s *v1alpha1.TopicTransferSpec) { s.Topic = "" }, "spec.topic"},
		{"topic too long", func(s *v1alpha1.TopicTransferSpec) { s.Topic = strings.Repeat("a", 128) }, "spec.topic"},
		{"bad group name", func(s *v1alpha1.TopicTransferSpec) { s.ConsumerGroups = []string{"a/b"} }, "spec.consumerGroups[0]"},
		{"duplicate group", func(s *v1alpha1.TopicTransferSpec) { s.ConsumerGroups = []string{"g", "g"} }, "Duplicate value"},
		{"NameServer without port", func(s *v1alpha1.TopicTransferSpec) { s.Target.NameServers = []string{"10.0.0.1"} }, "spec.target.nameServers[0]"},
		{"negative drain timeout", func(s *v1alpha1.TopicTransferSpec) {
			s.DrainTimeout = &metav1.Duration{Duration: -1}
		}, "spec.drainTimeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := valid()
			tc.mutate(&spec)
			tt := &v1alpha1.TopicTransfer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "x"}, Spec: spec}
			err := env.Client.Create(context.Background(), tt, client.DryRunAll)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestCRDKeepsTheTransferImmutable: once created, what would strand data if
// changed halfway cannot change; drainTimeout and abort can.
func TestCRDKeepsTheTransferImmutable(t *testing.T) {
	ns := env.NewNamespace(t, "restricted")
	ctx := context.Background()
	tt := &v1alpha1.TopicTransfer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "x"}, Spec: v1alpha1.TopicTransferSpec{
		Topic: "orders", ConsumerGroups: []string{"g"},
		Source: v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: "a"}},
		Target: v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: "b"}},
	}}
	require.NoError(t, env.Client.Create(ctx, tt))
	assert.Equal(t, "10m0s", tt.Spec.DrainTimeout.Duration.String(), "defaulted by the schema")
	assert.Equal(t, ptr.To(true), tt.Spec.DeleteSourceTopic, "defaulted by the schema")
	for _, tc := range []struct {
		name   string
		mutate func(*v1alpha1.TopicTransferSpec)
		want   string
	}{
		{"topic", func(s *v1alpha1.TopicTransferSpec) { s.Topic = "other" }, "topic is immutable"},
		{"groups", func(s *v1alpha1.TopicTransferSpec) { s.ConsumerGroups = []string{"g", "h"} }, "consumerGroups is immutable"},
		{"groups removed", func(s *v1alpha1.TopicTransferSpec) { s.ConsumerGroups = nil }, "consumerGroups is immutable"},
		{"source", func(s *v1alpha1.TopicTransferSpec) { s.Source.ClusterRef.Name = "c" }, "source is immutable"},
		{"target", func(s *v1alpha1.TopicTransferSpec) { s.Target.ClusterRef.Name = "c" }, "target is immutable"},
		{"deleteSourceTopic", func(s *v1alpha1.TopicTransferSpec) { s.DeleteSourceTopic = ptr.To(false) }, "deleteSourceTopic is immutable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed := tt.DeepCopy()
			tc.mutate(&changed.Spec)
			err := env.Client.Update(ctx, changed, client.DryRunAll)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	ok := tt.DeepCopy()
	ok.Spec.Abort, ok.Spec.DrainTimeout = true, &metav1.Duration{Duration: 1}
	assert.NoError(t, env.Client.Update(ctx, ok, client.DryRunAll), "abort and drainTimeout may change")
}

// TestControllerRefusesWhatTheSchemaCannot: system topics and groups pass
// the schema's name pattern; the controller fails them with InvalidSpec
// before touching any cluster.
func TestControllerRefusesWhatTheSchemaCannot(t *testing.T) {
	f := newFixture(t)
	f.startManager(f.testOptions(nil))
	for name, mutate := range map[string]func(*v1alpha1.TopicTransferSpec){
		"system-topic": func(s *v1alpha1.TopicTransferSpec) { s.Topic = "TBW102" },
		"retry-topic":  func(s *v1alpha1.TopicTransferSpec) { s.Topic = "%RETRY%billing" },
		"system-group": func(s *v1alpha1.TopicTransferSpec) { s.ConsumerGroups = []string{"TOOLS_CONSUMER"} },
	} {
		spec := f.spec()
		mutate(&spec)
		f.create(name, spec)
		tt := f.waitFinal(name)
		assert.Equal(t, v1alpha1.TransferFailed, tt.Status.Phase, name)
		_, reason, _ := conditionOf(tt, v1alpha1.ConditionReady)
		assert.Equal(t, v1alpha1.ReasonInvalidSpec, reason, name)
		stalled, _, _ := conditionOf(tt, v1alpha1.ConditionStalled)
		assert.Equal(t, "True", stalled, name)
	}
	assert.Empty(t, f.mutations())
	assert.Zero(t, f.src.ns.CallCount(106), "no cluster was asked anything")
}

// TestExamplesAreAccepted applies examples/topictransfer with a
// server-side dry run: the documented objects pass the schema.
func TestExamplesAreAccepted(t *testing.T) {
	ns := env.NewNamespace(t, "restricted")
	files, err := filepath.Glob(filepath.Join(env.Root, "examples", "topictransfer", "*.yaml"))
	require.NoError(t, err)
	n := 0
	for _, file := range files {
		if filepath.Base(file) == "kustomization.yaml" {
			continue
		}
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		u := &unstructured.Unstructured{}
		require.NoError(t, yaml.Unmarshal(raw, &u.Object), file)
		u.SetNamespace(ns)
		warnings, err := env.ApplyDryRun(context.Background(), u, "examples")
		require.NoError(t, err, file)
		assert.Empty(t, warnings, file)
		n++
	}
	assert.Equal(t, 2, n)
}
