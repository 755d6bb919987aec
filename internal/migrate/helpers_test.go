package migrate

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestTransferNameIsADNSNameThatTellsTopicsApart(t *testing.T) {
	hash := regexp.MustCompile(`-[0-9a-f]{8}$`)
	seen := map[string]string{}
	for topic, slug := range map[string]string{
		"orders":      "east-orders",
		"Orders":      "east-orders",
		"%RETRY%x":    "east-retry-x",
		"a__b":        "east-a-b",
		"a-b":         "east-a-b",
		"%|%":         "east",
		"TOPIC_2024_": "east-topic-2024",
	} {
		name := transferName("east", topic)
		require.Empty(t, validation.IsDNS1123Subdomain(name), name)
		require.Regexp(t, hash, name)
		require.Equal(t, slug, hash.ReplaceAllString(name, ""), topic)
		require.Equal(t, name, transferName("east", topic), "stable")
		require.NotContains(t, seen, name, "%s and %s get one name", topic, seen[name])
		seen[name] = topic
	}
}

func TestBatchesKeepTopicsThatShareAGroupTogether(t *testing.T) {
	topics := []TopicGroups{
		{Topic: "f", Groups: []string{"g3"}},
		{Topic: "a", Groups: []string{"g1"}},
		{Topic: "e"},
		{Topic: "b", Groups: []string{"g2"}},
		{Topic: "d", Groups: []string{"g2", "g3"}},
		{Topic: "c", Groups: []string{"g1"}},
	}
	var got [][]string
	for _, b := range batches(topics, 2) {
		var names []string
		for _, tg := range b {
			names = append(names, tg.Topic)
		}
		got = append(got, names)
	}
	// a-c share g1; b-d-f share g2 and g3 (through d), and stay whole
	// although larger than the batch size.
	require.Equal(t, [][]string{{"a", "c"}, {"b", "d", "f"}, {"e"}}, got)
}

func TestParseJavaSize(t *testing.T) {
	for in, want := range map[string]int64{"2g": 2 << 30, "2G": 2 << 30, "512m": 512 << 20, "1024k": 1 << 20, "1048576": 1 << 20, "1t": 1 << 40} {
		q, err := parseJavaSize(in)
		require.NoError(t, err, in)
		require.Equal(t, want, q.Value(), in)
	}
	for _, in := range []string{"2GB", "", "-1g", "1.5g", "g"} {
		_, err := parseJavaSize(in)
		require.Error(t, err, in)
	}
}

func TestImageVersion(t *testing.T) {
	for image, want := range map[string][3]string{
		"apache/rocketmq:5.3.1":                                      {"apache/rocketmq", "5.3.1", "5"},
		"registry:5000/apache/rocketmq:5.2.0@sha256:abc":             {"registry:5000/apache/rocketmq", "5.2.0", "5"},
		"apacherocketmq/rocketmq-broker:4.5.0-alpine-operator-0.3.0": {"apacherocketmq/rocketmq-broker", "4.5.0", "4"},
		"registry:5000/rocketmq-broker":                              {"registry:5000/rocketmq-broker", "", ""},
		"apacherocketmq/rocketmq-broker:latest":                      {"apacherocketmq/rocketmq-broker", "", ""},
	} {
		repo, _ := splitImage(image)
		v, major := imageVersion(image)
		require.Equal(t, want, [3]string{repo, v, major}, image)
	}
}

func TestParseTopicListRefusesMalformedLines(t *testing.T) {
	for in, want := range map[string]string{
		"orders a, b\n":    `topic list line 1: "orders a, b": want a topic, then optionally its groups separated by commas without spaces`,
		"# c\norders a,,b": `topic list line 2: "orders a,,b": empty group name between commas`,
	} {
		_, err := ParseTopicList([]byte(in), &Report{})
		require.EqualError(t, err, want)
	}
}

func TestTransfersRefuseTooManyGroups(t *testing.T) {
	groups := make([]string, maxTransferGroups+1)
	for i := range groups {
		groups[i] = "g" + itoa(i)
	}
	_, err := Transfers(SourceCluster{ClusterName: "old", NameServers: []string{"10.0.0.1:9876"}},
		[]TopicGroups{{Topic: "busy", Groups: groups}}, TransferOptions{Target: "new"})
	require.EqualError(t, err, "topic busy: 65 consumer groups; a TopicTransfer moves at most 64: "+
		"delete the groups that no longer consume it on the old cluster first")
}

func TestScalePodNameBecomesMetadataSourceGroup(t *testing.T) {
	for name, want := range map[string]string{
		"broker-0-master-0":    "group 0",
		"broker-1-master-0":    "group 1",
		"broker-1-replica-1-0": "group 1",
		"broker-1-0-0":         "group 1",
		"broker-2-master-0":    "dropped",
		"other-1-master-0":     "dropped",
		"broker-1-master-1":    "dropped",
		"broker-x-master-0":    "dropped",
	} {
		cv := &converter{cluster: newCluster(&item[broker]{ref: resourceRef{Name: "broker"}}, Options{}), report: &Report{}}
		cv.scalePod(resourceRef{Kind: kindBroker, Name: "broker"}, &brokerSpec{Size: 2, ScalePodName: name})
		got := "group 0"
		if g := cv.cluster.Spec.Broker.MetadataSourceGroup; g != nil {
			got = "group " + itoa(int(*g))
		}
		if len(cv.report.Entries) > 0 {
			got = string(cv.report.Entries[0].Outcome)
		}
		require.Equal(t, want, got, name)
	}
}
