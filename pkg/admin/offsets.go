package admin

import (
	"context"
	"fmt"
	"strconv"
)

// QueryConsumerOffset returns the group's committed offset on one queue
// (QUERY_CONSUMER_OFFSET, 14, QueryConsumerOffsetRequestHeader). It sends
// setZeroIfNotFound=false, so a queue the group never committed on is
// ErrQueryNotFound rather than the 0 that
// ConsumerManageProcessor.queryConsumerOffset otherwise invents when the
// queue's first message is still in memory: "no offset" and "offset 0"
// must not look alike to a caller that commits only where none exists.
func (c *Client) QueryConsumerOffset(ctx context.Context, brokerAddr, group, topic string, queueID int) (int64, error) {
	ext := map[string]string{
		"consumerGroup": group, "topic": topic, "queueId": strconv.Itoa(queueID), "setZeroIfNotFound": "false",
	}
	resp, err := c.invoke(ctx, brokerAddr, CodeQueryConsumerOffset, ext, nil)
	if err != nil {
		return 0, fmt.Errorf("querying the offset of group %q on %s queue %d at %s: %w", group, topic, queueID, brokerAddr, err)
	}
	off, err := offsetHeader(resp.ExtFields)
	if err != nil {
		return 0, fmt.Errorf("querying the offset of group %q on %s queue %d at %s: %w", group, topic, queueID, brokerAddr, err)
	}
	return off, nil
}

// UpdateConsumerOffset commits the group's offset on one queue
// (UPDATE_CONSUMER_OFFSET, 15, UpdateConsumerOffsetRequestHeader). The
// broker answers ErrSubscriptionGroupNotExist or ErrTopicNotExist when
// either is missing (ConsumerManageProcessor.updateConsumerOffset), and
// overwrites any offset the group had.
func (c *Client) UpdateConsumerOffset(ctx context.Context, brokerAddr, group, topic string, queueID int, offset int64) error {
	ext := map[string]string{
		"consumerGroup": group, "topic": topic, "queueId": strconv.Itoa(queueID),
		"commitOffset": strconv.FormatInt(offset, 10),
	}
	if _, err := c.invoke(ctx, brokerAddr, CodeUpdateConsumerOffset, ext, nil); err != nil {
		return fmt.Errorf("committing offset %d of group %q on %s queue %d at %s: %w", offset, group, topic, queueID, brokerAddr, err)
	}
	return nil
}

// MinOffset returns the smallest offset still stored in one queue
// (GET_MIN_OFFSET, 31, GetMinOffsetRequestHeader); 0 for a queue that
// never had a message, or for a topic the broker does not have.
func (c *Client) MinOffset(ctx context.Context, brokerAddr, topic string, queueID int) (int64, error) {
	ext := map[string]string{"topic": topic, "queueId": strconv.Itoa(queueID)}
	resp, err := c.invoke(ctx, brokerAddr, CodeGetMinOffset, ext, nil)
	if err != nil {
		return 0, fmt.Errorf("getting the min offset of %s queue %d at %s: %w", topic, queueID, brokerAddr, err)
	}
	off, err := offsetHeader(resp.ExtFields)
	if err != nil {
		return 0, fmt.Errorf("getting the min offset of %s queue %d at %s: %w", topic, queueID, brokerAddr, err)
	}
	return off, nil
}

// offsetHeader reads the `offset` field of a QueryConsumerOffsetResponseHeader
// or GetMinOffsetResponseHeader.
func offsetHeader(ext map[string]string) (int64, error) {
	v, ok := ext["offset"]
	if !ok {
		return 0, fmt.Errorf("%w: no offset in the response header", ErrBadResponse)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: offset %q: %w", ErrBadResponse, v, err)
	}
	return n, nil
}
