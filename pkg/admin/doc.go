// Package admin is a client for RocketMQ's remoting protocol, limited to
// the admin operations the controller needs: cluster and route queries,
// topic and subscription group management, broker config, consume and
// topic statistics, NameServer write permission, and a metadata copy
// between brokers for scale-out.
//
// It speaks the wire format directly (no JVM, no mqadmin): one TCP
// connection per address, shared by concurrent calls and matched by
// opaque, JSON request headers, and a decoder that accepts fastjson's
// non-standard bodies. Every call takes a context; a connection that
// broke is dropped and the next call dials again. Non-SUCCESS responses
// come back as *ResponseError, which wraps a sentinel (ErrTopicNotExist,
// ErrNoPermission, ...) for errors.Is.
//
// docs/admin.md lists every operation with its request code and the Java
// classes it was checked against. Package rmqtest holds an in-process
// NameServer and broker to test against.
package admin
