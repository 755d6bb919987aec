package migrate

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Labels and annotations the transfers carry.
const (
	// BatchLabel numbers the batch, from 1: apply one with
	// kubectl apply -f transfers.yaml -l migrate.rocketmq.gitops.dev/batch=1.
	BatchLabel = "migrate.rocketmq.gitops.dev/batch"
	// SyncWaveAnnotation orders the batches for Argo CD.
	SyncWaveAnnotation = "argocd.argoproj.io/sync-wave"
)

// maxTransferGroups is TopicTransferSpec.ConsumerGroups' MaxItems.
const maxTransferGroups = 64

// TransferOptions shape the TopicTransfers.
type TransferOptions struct {
	// Target is the new RocketMQCluster's name; Namespace its namespace.
	Target, Namespace string
	// BatchSize is the most topics per batch (default 10), unless one set
	// of topics linked by shared groups is larger: it stays whole.
	BatchSize int
	// DeleteSourceTopic deletes each topic from the old cluster once
	// drained; by default it stays there, read-only, until the old
	// cluster is retired.
	DeleteSourceTopic bool
	// PopInvisibleTime, when set, is every transfer's popInvisibleTime:
	// "0s" when no consumer of the old cluster consumes by POP (RocketMQ
	// 4 has no POP), which spares each drain its settle period.
	PopInvisibleTime *metav1.Duration
}

// Transfers writes one TopicTransfer per topic, from the old cluster to
// the new one, in batches: topics that share a consumer group go into the
// same batch, so that each consumer application follows its topics to the
// new cluster once.
func Transfers(src SourceCluster, topics []TopicGroups, opts TransferOptions) ([]v1alpha1.TopicTransfer, error) {
	if len(src.NameServers) == 0 {
		return nil, fmt.Errorf("no NameServer address for the old cluster: the Broker's spec.nameServers is empty and no NameService " +
			"with status.nameServers is among the inputs; give them with --source-nameservers")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 10
	}
	var out []v1alpha1.TopicTransfer
	for b, batch := range batches(topics, opts.BatchSize) {
		for _, tg := range batch {
			t, err := transfer(src, tg, opts, b+1)
			if err != nil {
				return nil, err
			}
			out = append(out, *t)
		}
	}
	return out, nil
}

func transfer(src SourceCluster, tg TopicGroups, opts TransferOptions, batch int) (*v1alpha1.TopicTransfer, error) {
	if len(tg.Groups) > maxTransferGroups {
		return nil, fmt.Errorf("topic %s: %d consumer groups; a TopicTransfer moves at most %d: "+
			"delete the groups that no longer consume it on the old cluster first", tg.Topic, len(tg.Groups), maxTransferGroups)
	}
	b := strconv.Itoa(batch)
	t := &v1alpha1.TopicTransfer{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: v1alpha1.KindTopicTransfer},
		ObjectMeta: metav1.ObjectMeta{
			Name: transferName(opts.Target, tg.Topic), Namespace: opts.Namespace,
			Labels:      map[string]string{BatchLabel: b},
			Annotations: map[string]string{SyncWaveAnnotation: b},
		},
		Spec: v1alpha1.TopicTransferSpec{
			Topic:             tg.Topic,
			ConsumerGroups:    tg.Groups,
			Source:            v1alpha1.TransferEndpoint{NameServers: src.NameServers, ClusterName: src.ClusterName},
			Target:            v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: opts.Target}},
			DeleteSourceTopic: &opts.DeleteSourceTopic,
			PopInvisibleTime:  opts.PopInvisibleTime,
		},
	}
	if errs := t.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("topic %s: the TopicTransfer would be invalid: %w", tg.Topic, errs.ToAggregate())
	}
	return t, nil
}

// transferName is "<target>-<topic as a DNS label>-<hash of the topic>":
// topics may hold upper case, '_', '%' and '|', and two topics may map
// to the same label, which the hash tells apart.
func transferName(target, topic string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(topic) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(topic))
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		return fmt.Sprintf("%s-%08x", target, h.Sum32())
	}
	return fmt.Sprintf("%s-%s-%08x", target, slug, h.Sum32())
}

// batches sorts the topics, joins those linked by a shared group, and
// packs the linked sets, in order of their first topic, into batches of
// at most size topics (a larger set is a batch of its own).
func batches(topics []TopicGroups, size int) [][]TopicGroups {
	sorted := append([]TopicGroups(nil), topics...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Topic < sorted[j].Topic })
	var out [][]TopicGroups
	var cur []TopicGroups
	for _, set := range linkedSets(sorted) {
		if len(cur) > 0 && len(cur)+len(set) > size {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, set...)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// linkedSets groups sorted topics that share a consumer group, directly or
// through other topics (union-find); each set keeps topic order, and sets
// come in the order of their first topic.
func linkedSets(sorted []TopicGroups) [][]TopicGroups {
	parent := make([]int, len(sorted))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	byGroup := map[string]int{}
	for i, tg := range sorted {
		for _, g := range tg.Groups {
			if j, ok := byGroup[g]; ok {
				a, b := find(i), find(j)
				parent[max(a, b)] = min(a, b)
			} else {
				byGroup[g] = i
			}
		}
	}
	var sets [][]TopicGroups
	index := map[int]int{}
	for i, tg := range sorted {
		root := find(i)
		k, ok := index[root]
		if !ok {
			k = len(sets)
			index[root] = k
			sets = append(sets, nil)
		}
		sets[k] = append(sets[k], tg)
	}
	return sets
}
