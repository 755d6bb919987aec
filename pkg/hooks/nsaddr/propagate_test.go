package nsaddr

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeBrokers struct {
	config    map[string]string // addr -> namesrvAddr
	failRead  map[string]bool
	failWrite map[string]bool
	updates   []string
}

func (f *fakeBrokers) BrokerConfig(_ context.Context, addr string) (map[string]string, error) {
	if f.failRead[addr] {
		return nil, errors.New("connection refused")
	}
	return map[string]string{ConfigKey: f.config[addr], "brokerName": "b"}, nil
}

func (f *fakeBrokers) UpdateBrokerConfig(_ context.Context, addr string, kv map[string]string) error {
	if f.failWrite[addr] {
		return errors.New("NO_PERMISSION")
	}
	f.updates = append(f.updates, addr)
	f.config[addr] = kv[ConfigKey]
	return nil
}

func TestPropagateUpdatesOnlyDifferingBrokers(t *testing.T) {
	f := &fakeBrokers{config: map[string]string{"b0": "n0;n1", "b1": "n0;n1;n2", "b2": ""}}
	list := []string{"n0", "n1", "n2"}
	res, err := Propagate(context.Background(), f, []string{"b0", "b1", "b2"}, list)
	require.NoError(t, err)
	assert.Equal(t, []string{"b0", "b2"}, f.updates)
	assert.True(t, res[0].Updated)
	assert.False(t, res[1].Updated)
	assert.Equal(t, []string{"n0", "n1"}, res[0].Before)
	for _, b := range []string{"b0", "b1", "b2"} {
		assert.Equal(t, "n0;n1;n2", f.config[b])
	}

	f.updates = nil
	_, err = Propagate(context.Background(), f, []string{"b0", "b1", "b2"}, list)
	require.NoError(t, err)
	assert.Empty(t, f.updates, "a converged cluster must see no update")
}

func TestPropagateFailuresDoNotStopOthers(t *testing.T) {
	f := &fakeBrokers{
		config:    map[string]string{"b0": "old", "b1": "old", "b2": "old"},
		failRead:  map[string]bool{"b0": true},
		failWrite: map[string]bool{"b1": true},
	}
	res, err := Propagate(context.Background(), f, []string{"b0", "b1", "b2"}, []string{"n0"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading the broker config of b0")
	assert.Contains(t, err.Error(), "setting namesrvAddr on b1")
	assert.Error(t, res[0].Err)
	assert.Error(t, res[1].Err)
	assert.True(t, res[2].Updated)
	assert.Equal(t, "n0", f.config["b2"])
	assert.Equal(t, "old", f.config["b1"])
}

func TestPropagateRefusesEmptyList(t *testing.T) {
	f := &fakeBrokers{config: map[string]string{"b0": "n0"}}
	_, err := Propagate(context.Background(), f, []string{"b0"}, nil)
	require.Error(t, err)
	assert.Empty(t, f.updates)
}
