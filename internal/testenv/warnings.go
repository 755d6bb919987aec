package testenv

import (
	"context"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// A rest.Config has one warning handler for every request, but a test needs
// the warnings of one request (one applied object). The handler therefore
// looks for a collector in the request's context.
type warningsKey struct{}

type warningCollector struct {
	mu    sync.Mutex
	texts []string
}

func (c *warningCollector) add(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.texts = append(c.texts, text)
}

func (c *warningCollector) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.texts...)
}

// warningRouter records a warning into the context's collector, or logs it
// like client-go does when the request was made without one.
type warningRouter struct{}

func (warningRouter) HandleWarningHeaderWithContext(ctx context.Context, code int, agent, text string) {
	if c, ok := ctx.Value(warningsKey{}).(*warningCollector); ok {
		c.add(text)
		return
	}
	rest.WarningLogger{}.HandleWarningHeaderWithContext(ctx, code, agent, text)
}

// CollectWarnings returns a context that records every API warning (Pod
// Security "would violate", deprecations, unknown fields) answered to a
// request made with it through Env.Client or a client built from
// Env.Config, and a function returning the warnings recorded so far.
func CollectWarnings(ctx context.Context) (context.Context, func() []string) {
	c := &warningCollector{}
	return context.WithValue(ctx, warningsKey{}, c), c.list
}

// ApplyDryRun sends obj as a server-side apply with dryRun=All under
// fieldManager, without forcing conflicts, and returns the API warnings of
// that request. Nothing is stored; validation, defaulting, admission (Pod
// Security included) and pruning of unknown fields all run. On success obj
// is replaced by the object the server would have stored.
func (e *Env) ApplyDryRun(ctx context.Context, obj *unstructured.Unstructured, fieldManager string) ([]string, error) {
	ctx, warnings := CollectWarnings(ctx)
	err := e.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj),
		client.DryRunAll, client.FieldOwner(fieldManager))
	if err != nil {
		return warnings(), fmt.Errorf("server-side apply (dry run) of %s %s/%s: %w",
			obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
	}
	return warnings(), nil
}
