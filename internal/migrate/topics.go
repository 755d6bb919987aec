package migrate

import (
	"bufio"
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TopicGroups is one topic to move and the consumer groups that read it.
type TopicGroups struct {
	Topic  string
	Groups []string
}

// ParseTopicList reads a topic list: one topic per line, optionally
// followed by its consumer groups separated by commas ("orders
// billing,audit"). Blank lines and lines starting with '#' are skipped;
// system topics are skipped and reported (they stay with the old cluster).
func ParseTopicList(data []byte, report *Report) ([]TopicGroups, error) {
	var out []TopicGroups
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tg, err := parseTopicLine(line)
		if err != nil {
			return nil, fmt.Errorf("topic list line %d: %w", n, err)
		}
		if prev, dup := seen[tg.Topic]; dup {
			return nil, fmt.Errorf("topic list line %d: topic %s is already on line %d: list each topic once, with all its groups", n, tg.Topic, prev)
		}
		seen[tg.Topic] = n
		if isSystemTopic(tg.Topic, "", nil) {
			report.dropped(resourceRef{Kind: "topic", Name: tg.Topic}, "", "a system, retry or dead-letter topic: each cluster keeps its own; not transferred")
			continue
		}
		out = append(out, tg)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the topic list: %w", err)
	}
	return out, nil
}

func parseTopicLine(line string) (TopicGroups, error) {
	fields := strings.Fields(line)
	if len(fields) > 2 {
		return TopicGroups{}, fmt.Errorf("%q: want a topic, then optionally its groups separated by commas without spaces", line)
	}
	tg := TopicGroups{Topic: fields[0]}
	if len(fields) == 2 {
		for _, g := range strings.Split(fields[1], ",") {
			if g == "" {
				return TopicGroups{}, fmt.Errorf("%q: empty group name between commas", line)
			}
			tg.Groups = append(tg.Groups, g)
		}
	}
	tg.Groups = dedupSorted(tg.Groups)
	return tg, nil
}

// replyTopicSuffix is MixAll.REPLY_TOPIC_POSTFIX: TopicConfigManager
// creates "<cluster>_REPLY_TOPIC" for request-reply messages.
const replyTopicSuffix = "_REPLY_TOPIC"

// isSystemTopic follows TopicValidator (system topics, rmq_sys_, retry
// and dead-letter topics) and adds the topics a broker creates under its
// cluster's and its own name (TopicConfigManager: clusterTopicEnable,
// brokerTopicEnable, and the cluster's reply topic).
func isSystemTopic(topic, clusterName string, brokerNames []string) bool {
	if v1alpha1.IsSystemTopic(topic) || admin.IsSystemTopic(topic) {
		return true
	}
	if clusterName != "" && (topic == clusterName || topic == clusterName+replyTopicSuffix) {
		return true
	}
	for _, b := range brokerNames {
		if topic == b {
			return true
		}
	}
	return false
}

func dedupSorted(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	sort.Strings(in)
	out := in[:1]
	for _, s := range in[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}
