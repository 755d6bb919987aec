// Package rmqtest is an in-process emulator of the RocketMQ NameServer
// and broker admin protocol, for tests of pkg/admin and its callers.
//
// Both servers listen on a real TCP address (any loopback address and
// port, e.g. 127.0.0.2:10911 or 127.0.0.1:0), speak the remoting frame
// format, answer out of order, and behave like the Java classes listed in
// README.md: validation and error codes, idempotent creates, data
// versions, broker registration with the NameServer over the wire, the
// 5.3 batch-create early return, fastjson bodies. Tests can set queue and
// consumer offsets, inspect the tables, count requests per code and
// inject faults (fail, delay, drop the connection on the Nth call).
package rmqtest
