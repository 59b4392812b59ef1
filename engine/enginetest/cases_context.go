package enginetest

import (
	"context"
	"errors"
	"time"

	"github.com/microreg/microreg/engine"
)

// caseCancelledContextIsHonoured is the conformance case CancelledContextIsHonoured.
func caseCancelledContextIsHonoured(e *env) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	name := e.name("ctx")
	s := service(name, "1.0.0", node("ctx-1", "127.0.0.1:8601"))
	if err := e.a.Register(s, engine.RegisterContext(ctx)); !errors.Is(err, context.Canceled) {
		e.t.Fatalf("Register with a cancelled context: got %v, want context.Canceled", err)
	}
	e.mustRegister(e.a, service(e.name("ctx-marker"), "1.0.0", node("ctxm-1", "127.0.0.1:8602")))
	e.has(e.b, e.name("ctx-marker"), service(e.name("ctx-marker"), "1.0.0", node("ctxm-1", "127.0.0.1:8602")))
	e.has(e.a, name)

	e.mustRegister(e.a, s)
	e.has(e.b, name, s)
	if err := e.a.Deregister(s, engine.DeregisterContext(ctx)); !errors.Is(err, context.Canceled) {
		e.t.Fatalf("Deregister with a cancelled context: got %v, want context.Canceled", err)
	}
	e.has(e.a, name, s)
	if _, err := e.b.GetService(name, engine.GetContext(ctx)); !errors.Is(err, context.Canceled) {
		e.t.Fatalf("GetService with a cancelled context: got %v, want context.Canceled", err)
	}
	if _, err := e.b.ListServices(engine.ListContext(ctx)); !errors.Is(err, context.Canceled) {
		e.t.Fatalf("ListServices with a cancelled context: got %v, want context.Canceled", err)
	}
	if _, err := e.b.Watch(engine.WatchContext(ctx)); !errors.Is(err, context.Canceled) {
		e.t.Fatalf("Watch with a cancelled context: got %v, want context.Canceled", err)
	}
}

// caseWatchContextStopsTheWatcher is the conformance case WatchContextStopsTheWatcher.
func caseWatchContextStopsTheWatcher(e *env) {
	ctx, cancel := context.WithCancel(context.Background())
	w, err := e.b.Watch(engine.WatchContext(ctx))
	if err != nil {
		e.t.Fatal(err)
	}
	defer w.Stop()
	errc := make(chan error, 1)
	go func() {
		_, err := w.Next()
		errc <- err
	}()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, engine.ErrWatcherStopped) {
			e.t.Fatalf("Next after the watch context ended: got %v, want ErrWatcherStopped", err)
		}
	case <-time.After(e.world.Wait):
		e.t.Fatalf("Next still blocked %v after its context was cancelled", e.world.Wait)
	}
}
