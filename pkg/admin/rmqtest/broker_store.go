package rmqtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// storeState is what a broker keeps on its store volume across restarts:
// TopicConfigManager (config/topics.json), SubscriptionGroupManager
// (config/subscriptionGroup.json), ConsumerOffsetManager
// (config/consumerOffset.json), the message store's queue offsets (the
// commit log and consume queues) and, in Controller mode, the broker id the
// controller assigned (BrokerMetadata). The emulator writes them as one
// JSON file, since nothing reads them but the emulator.
type storeState struct {
	Topics          map[string]admin.TopicConfig             `json:"topics"`
	TopicVersion    admin.DataVersion                        `json:"topicVersion"`
	Groups          map[string]admin.SubscriptionGroupConfig `json:"groups"`
	GroupVersion    admin.DataVersion                        `json:"groupVersion"`
	MaxOffsets      []storedOffset                           `json:"maxOffsets"`
	ConsumerOffsets []storedOffset                           `json:"consumerOffsets"`
	ControllerID    int64                                    `json:"controllerBrokerId,omitempty"`
	// Users and ACLs are the RocksDB stores config/users and config/acls
	// of LocalAuthenticationMetadataProvider and LocalAuthorizationMetadataProvider.
	Users map[string]admin.UserInfo `json:"users,omitempty"`
	ACLs  map[string]admin.ACLInfo  `json:"acls,omitempty"`
}

type storedOffset struct {
	Group   string `json:"group,omitempty"`
	Topic   string `json:"topic"`
	QueueID int    `json:"queueId"`
	Offset  int64  `json:"offset"`
}

const storeFile = "config/emulated-store.json"

// loadStore reads the store volume, as the managers' load() do at start;
// an empty volume is a first start.
func (b *Broker) loadStore() error {
	if b.opts.StoreDir == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(b.opts.StoreDir, storeFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("while loading the broker store: %w", err)
	}
	var st storeState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("while decoding %s: %w", storeFile, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for name, tc := range st.Topics {
		b.topics[name] = tc
	}
	for name, g := range st.Groups {
		b.groups[name] = g
	}
	b.topicVersion, b.groupVersion = st.TopicVersion, st.GroupVersion
	for _, o := range st.MaxOffsets {
		b.maxOffsets[queueKey{o.Topic, o.QueueID}] = o.Offset
	}
	for _, o := range st.ConsumerOffsets {
		b.consumerOffsets[groupQueueKey{o.Group, queueKey{o.Topic, o.QueueID}}] = o.Offset
	}
	b.storedControllerID = st.ControllerID
	b.users, b.acls = st.Users, st.ACLs
	return nil
}

// persistStore writes the store volume, as the managers' persist() and the
// store's shutdown do.
func (b *Broker) persistStore() error {
	if b.opts.StoreDir == "" {
		return nil
	}
	b.mu.Lock()
	st := storeState{
		Topics: b.topics, TopicVersion: b.topicVersion, Groups: b.groups, GroupVersion: b.groupVersion,
		ControllerID: b.storedControllerID, Users: b.users, ACLs: b.acls,
	}
	for k, v := range b.maxOffsets {
		st.MaxOffsets = append(st.MaxOffsets, storedOffset{Topic: k.topic, QueueID: k.queueID, Offset: v})
	}
	for k, v := range b.consumerOffsets {
		st.ConsumerOffsets = append(st.ConsumerOffsets, storedOffset{Group: k.group, Topic: k.topic, QueueID: k.queueID, Offset: v})
	}
	data, err := json.Marshal(st)
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("while encoding the broker store: %w", err)
	}
	path := filepath.Join(b.opts.StoreDir, storeFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("while persisting the broker store: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("while persisting the broker store: %w", err)
	}
	return nil
}
