package rmqtest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// header reads request extFields the way decodeCommandCustomHeader does: a
// @CFNotNull field that is missing, or a number that does not parse, is an
// error the processor turns into SYSTEM_ERROR.
type header struct {
	ext map[string]string
	err error
}

func headerOf(req *remoting.Command) *header { return &header{ext: req.ExtFields} }

func (h *header) str(name string, notNull bool) string {
	v, ok := h.ext[name]
	if !ok && notNull && h.err == nil {
		h.err = fmt.Errorf("the custom field <%s> is null", name)
	}
	return v
}

func (h *header) num(name string, notNull bool, def int64) int64 {
	v, ok := h.ext[name]
	if !ok {
		if notNull && h.err == nil {
			h.err = fmt.Errorf("the custom field <%s> is null", name)
		}
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil && h.err == nil {
		h.err = fmt.Errorf("the custom field <%s> is not a number: %q", name, v)
	}
	return n
}

// boolean parses like Boolean.parseBoolean: only "true" (any case) is true.
func (h *header) boolean(name string, notNull bool) bool {
	v, ok := h.ext[name]
	if !ok && notNull && h.err == nil {
		h.err = fmt.Errorf("the custom field <%s> is null", name)
	}
	return strings.EqualFold(v, "true")
}

// failed returns the SYSTEM_ERROR response for a header that did not decode.
func (h *header) failed() *remoting.Command {
	if h.err == nil {
		return nil
	}
	return errorResponse(admin.CodeSystemError, h.err.Error())
}
