package rmqtest

import (
	"strconv"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// header reads request extFields the way
// RemotingCommand.decodeCommandCustomHeaderDirectly does: every field is
// decoded inside its own try/catch(Throwable), so a missing @CFNotNull
// field ("the custom field <x> is null") or a number that does not parse
// (NumberFormatException) is only logged and the field keeps its Java
// default. The processor then decides the answer; nothing here fails.
type header struct {
	ext map[string]string
}

func headerOf(req *remoting.Command) *header { return &header{ext: req.ExtFields} }

// present reports whether the request carried extFields at all: without
// them decodeCommandCustomHeaderDirectly returns the bare header and skips
// checkFields.
func (h *header) present() bool { return h.ext != nil }

// str reads a String field; ok is false when Java leaves it null.
func (h *header) str(name string) (v string, ok bool) {
	v, ok = h.ext[name]
	return v, ok
}

// integer reads an Integer/int field with Integer.parseInt; ok is false
// when the field is missing or does not parse (it stays null).
func (h *header) integer(name string) (int, bool) {
	v, ok := h.ext[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// long reads a Long/long field with Long.parseLong.
func (h *header) long(name string) (int64, bool) {
	v, ok := h.ext[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// boolean reads a Boolean/boolean field with Boolean.parseBoolean: only
// "true" (any case) is true. Every Boolean field the emulated processors
// read is false when missing (`Boolean order = false`, primitive
// cleanOffset, acceptStandardJsonOnly via Optional.orElse(false)).
func (h *header) boolean(name string) bool {
	return strings.EqualFold(h.ext[name], "true")
}

// javaString is how Java prints a String that may be null ("" + s).
func javaString(v string, ok bool) string {
	if !ok {
		return "null"
	}
	return v
}

// JDK 8 (the apache/rocketmq images run eclipse-temurin:8) gives a
// NullPointerException no message; its toString is the class name.
const javaNPE = "java.lang.NullPointerException"

// Top stack frames of the exceptions processors throw on a null header
// field, with the line numbers of JDK 8u and of apache/rocketmq 8fc57f1.
const (
	frameMapGet          = "java.util.concurrent.ConcurrentHashMap.get(ConcurrentHashMap.java:936)"
	frameMapRemove       = "java.util.concurrent.ConcurrentHashMap.replaceNode(ConcurrentHashMap.java:1106)"
	frameIsSystemTopic   = "org.apache.rocketmq.common.topic.TopicValidator.isSystemTopic(TopicValidator.java:174)"
	frameWhichTopic      = "org.apache.rocketmq.broker.offset.ConsumerOffsetManager.whichTopicByConsumer(ConsumerOffsetManager.java:151)"
	frameRegisterBroker  = "org.apache.rocketmq.namesrv.processor.DefaultRequestProcessor.registerBroker(DefaultRequestProcessor.java:253)"
	frameTopicFilterType = "org.apache.rocketmq.remoting.protocol.header.CreateTopicRequestHeader.checkFields(CreateTopicRequestHeader.java:63)"
)

// thrown is the answer of NettyRemotingAbstract.processRequestCommand when
// the processor throws: SYSTEM_ERROR with UtilAll.exceptionSimpleDesc,
// the exception's toString, ", " and its top stack frame.
func thrown(exception, frame string) *remoting.Command {
	return errorResponse(admin.CodeSystemError, exception+", "+frame)
}

// npe is thrown for a NullPointerException raised at frame.
func npe(frame string) *remoting.Command { return thrown(javaNPE, frame) }
