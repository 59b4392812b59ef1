package enginetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/engine"
)

// caseInitWithNewOptionsKeepsWorking is the conformance case InitWithNewOptionsKeepsWorking.
func caseInitWithNewOptionsKeepsWorking(e *env) {
	name := e.name("init")
	rec := e.watch(e.b, engine.WatchService(name))
	if err := e.b.Init(engine.Timeout(7 * time.Second)); err != nil {
		e.t.Fatalf("Init: %v", err)
	}
	if got := e.b.Options().Timeout; got != 7*time.Second {
		e.t.Fatalf("Options().Timeout after Init = %v, want 7s", got)
	}
	if err := e.a.Init(); err != nil {
		e.t.Fatalf("Init with no options: %v", err)
	}
	s := service(name, "1.0.0", node("init-1", "127.0.0.1:8701"))
	e.mustRegister(e.a, s)
	e.has(e.b, name, s)
	rec.waitFor("create after Init", action(engine.ActionCreate, name))
}

// caseConcurrentOperations is the conformance case ConcurrentOperations.
func caseConcurrentOperations(e *env) {
	name := e.name("concurrent")
	const workers, ops = 8, 40
	var wg sync.WaitGroup
	errc := make(chan error, workers*ops*4)
	rec := e.watch(e.b, engine.WatchService(name))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.a
			if w%2 == 1 {
				r = e.b
			}
			for i := 0; i < ops; i++ {
				s := service(name, "1.0.0", node(fmt.Sprintf("c-%d-%d", w, i%4), fmt.Sprintf("127.0.0.1:%d", 9000+i)))
				if err := r.Register(s); err != nil {
					errc <- err
				}
				if _, err := r.GetService(name); err != nil && !errors.Is(err, engine.ErrNotFound) {
					errc <- err
				}
				if _, err := r.ListServices(); err != nil {
					errc <- err
				}
				if i%5 == 0 {
					if w, err := r.Watch(engine.WatchService(name)); err != nil {
						errc <- err
					} else {
						w.Stop()
					}
				}
				if err := r.Deregister(s); err != nil {
					errc <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		e.t.Error(err)
	}
	e.has(e.a, name)
	e.has(e.b, name)
	rec.waitFor("some event", action(engine.ActionCreate, name))
}

// caseCloseIsIdempotent is the conformance case CloseIsIdempotent.
func caseCloseIsIdempotent(e *env) {
	r := e.instance()
	for i := 0; i < 2; i++ {
		if err := closeRegistry(r); err != nil {
			e.t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
}

// caseNoGoroutineLeaks is the conformance case NoGoroutineLeaks.
func caseNoGoroutineLeaks(e *env) {
	// Everything this case starts is measured against what ran before.
	// The world is built after the baseline, so goroutines its
	// instances start count too.
	base := goleak.IgnoreCurrent()
	world := e.factory(e.t)
	var made []engine.Registry
	inst := func() engine.Registry {
		r := world.New(e.t)
		made = append(made, r)
		return r
	}
	// A case that fails before its own closes still closes what it
	// made (Close is idempotent), so one failure does not leave
	// instances running into the next case.
	worldClosed := false
	e.t.Cleanup(func() {
		for _, r := range made {
			_ = closeRegistry(r)
		}
		if world.Close != nil && !worldClosed {
			world.Close()
		}
	})
	a, b := inst(), inst()
	name := e.name("leak")
	s := service(name, "1.0.0", node("leak-1", "127.0.0.1:8801"))
	var ws []engine.Watcher
	for _, r := range []engine.Registry{a, b} {
		for _, opt := range []engine.WatchOption{engine.WatchService(name), nil} {
			var opts []engine.WatchOption
			if opt != nil {
				opts = append(opts, opt)
			}
			w, err := r.Watch(opts...)
			if err != nil {
				e.t.Fatal(err)
			}
			ws = append(ws, w)
		}
	}
	if err := a.Register(s, engine.RegisterTTL(time.Hour)); err != nil {
		e.t.Fatal(err)
	}
	e.has(b, name, s)
	if err := a.Deregister(s); err != nil {
		e.t.Fatal(err)
	}
	e.has(b, name)
	for _, w := range ws {
		w.Stop()
	}
	for _, r := range made {
		if err := closeRegistry(r); err != nil {
			e.t.Fatal(err)
		}
	}
	if world.Close != nil {
		worldClosed = true
		world.Close()
	}
	e.eventually("every goroutine started by the case has ended", func() error {
		return goleak.Find(append(slices.Clip(world.Goroutines), base)...)
	})
}
