package enginetest

import (
	"errors"
	"fmt"
	"time"

	"github.com/microreg/microreg/engine"
)

// caseWatchSeesCreate is the conformance case WatchSeesCreate.
func caseWatchSeesCreate(e *env) {
	rec := e.watch(e.b)
	name := e.name("wcreate")
	s := service(name, "1.0.0", node("wc-1", "127.0.0.1:8301"))
	e.mustRegister(e.a, s)
	r := rec.waitFor("create", withNode(engine.ActionCreate, name, "wc-1", "127.0.0.1:8301"))
	if err := sameService(r.Service, s); err != nil {
		e.t.Fatalf("create event: %v", err)
	}
}

// caseWatchSeesNodeJoinAsUpdate is the conformance case WatchSeesNodeJoinAsUpdate.
func caseWatchSeesNodeJoinAsUpdate(e *env) {
	name := e.name("wjoin")
	e.mustRegister(e.a, service(name, "1.0.0", node("wj-1", "127.0.0.1:8311")))
	e.has(e.b, name, service(name, "1.0.0", node("wj-1", "127.0.0.1:8311")))
	rec := e.watch(e.b, engine.WatchService(name))
	e.mustRegister(e.a, service(name, "1.0.0", node("wj-2", "127.0.0.1:8312")))
	rec.waitFor("update with the new node", withNode(engine.ActionUpdate, name, "wj-2", "127.0.0.1:8312"))
}

// caseWatchSeesDelete is the conformance case WatchSeesDelete.
func caseWatchSeesDelete(e *env) {
	name := e.name("wdelete")
	s := service(name, "1.0.0", node("wd-1", "127.0.0.1:8321"))
	rec := e.watch(e.b, engine.WatchService(name))
	e.mustRegister(e.a, s)
	rec.waitFor("create", action(engine.ActionCreate, name))
	e.mustDeregister(e.a, s)
	rec.waitFor("delete of the node", withNode(engine.ActionDelete, name, "wd-1", ""))
}

// caseChangedAddressIsAnUpdate is the conformance case ChangedAddressIsAnUpdate.
func caseChangedAddressIsAnUpdate(e *env) {
	e.changeIsUpdate("waddr", func(s *engine.Service) { s.Nodes[0].Address = "127.0.0.1:9331" })
}

// caseChangedNodeMetadataIsAnUpdate is the conformance case ChangedNodeMetadataIsAnUpdate.
func caseChangedNodeMetadataIsAnUpdate(e *env) {
	e.changeIsUpdate("wmeta", func(s *engine.Service) { s.Nodes[0].Metadata["zone"] = "b" })
}

// caseChangedEndpointsAreAnUpdate is the conformance case ChangedEndpointsAreAnUpdate.
func caseChangedEndpointsAreAnUpdate(e *env) {
	e.changeIsUpdate("wendpoints", func(s *engine.Service) {
		s.Endpoints = append(s.Endpoints, &engine.Endpoint{Name: "Greeter.Bye", Request: &engine.Value{Name: "Bye", Type: "Bye"}})
	})
}

// caseWatchServiceFilters is the conformance case WatchServiceFilters.
func caseWatchServiceFilters(e *env) {
	mine, other := e.name("wmine"), e.name("wother")
	rec := e.watch(e.b, engine.WatchService(mine))
	e.mustRegister(e.a, service(other, "1.0.0", node("wo-1", "127.0.0.1:8341")))
	e.has(e.b, other, service(other, "1.0.0", node("wo-1", "127.0.0.1:8341")))
	e.mustRegister(e.a, service(mine, "1.0.0", node("wm-1", "127.0.0.1:8342")))
	r := rec.next()
	if r.Service.Name != mine || r.Action != engine.ActionCreate {
		e.t.Fatalf("WatchService(%q) delivered %s %s first", mine, r.Action, r.Service.Name)
	}
}

// caseWatchAllSeesEveryService is the conformance case WatchAllSeesEveryService.
func caseWatchAllSeesEveryService(e *env) {
	rec := e.watch(e.b)
	x, y := e.name("wallx"), e.name("wally")
	e.mustRegister(e.a, service(x, "1.0.0", node("wax-1", "127.0.0.1:8351")))
	e.mustRegister(e.a, service(y, "1.0.0", node("way-1", "127.0.0.1:8352")))
	seen := map[string]bool{}
	rec.waitFor("creates of both services", func(r *engine.Result) bool {
		if r.Action == engine.ActionCreate {
			seen[r.Service.Name] = true
		}
		return seen[x] && seen[y]
	})
}

// caseEveryWatcherGetsTheEvent is the conformance case EveryWatcherGetsTheEvent.
func caseEveryWatcherGetsTheEvent(e *env) {
	name := e.name("wmany")
	recs := []*recorder{e.watch(e.b), e.watch(e.b, engine.WatchService(name)), e.watch(e.a)}
	e.mustRegister(e.a, service(name, "1.0.0", node("wmany-1", "127.0.0.1:8361")))
	for _, rec := range recs {
		rec.waitFor("create", action(engine.ActionCreate, name))
	}
}

// caseWatchResultsAreCopies is the conformance case WatchResultsAreCopies.
func caseWatchResultsAreCopies(e *env) {
	name := e.name("wcopy")
	s := service(name, "1.0.0", node("wcopy-1", "127.0.0.1:8371"))
	rec := e.watch(e.b, engine.WatchService(name))
	e.mustRegister(e.a, s)
	r := rec.waitFor("create", action(engine.ActionCreate, name))
	scribble([]*engine.Service{r.Service})
	e.has(e.b, name, s)
}

// caseStopUnblocksNext is the conformance case StopUnblocksNext.
func caseStopUnblocksNext(e *env) {
	w, err := e.b.Watch()
	if err != nil {
		e.t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := w.Next()
		errc <- err
	}()
	w.Stop()
	select {
	case err := <-errc:
		if !errors.Is(err, engine.ErrWatcherStopped) {
			e.t.Fatalf("Next after Stop: got %v, want ErrWatcherStopped", err)
		}
	case <-time.After(e.world.Wait):
		e.t.Fatalf("Next still blocked %v after Stop", e.world.Wait)
	}
}

// caseNextAfterStopIsErrWatcherStopped is the conformance case NextAfterStopIsErrWatcherStopped.
func caseNextAfterStopIsErrWatcherStopped(e *env) {
	w, err := e.b.Watch(engine.WatchService(e.name("stopped")))
	if err != nil {
		e.t.Fatal(err)
	}
	w.Stop()
	w.Stop() // a second Stop is harmless
	for i := 0; i < 2; i++ {
		if _, err := w.Next(); !errors.Is(err, engine.ErrWatcherStopped) {
			e.t.Fatalf("Next #%d after Stop: got %v, want ErrWatcherStopped", i+1, err)
		}
	}
}

// changeIsUpdate registers a service, changes it with change, registers it
// again and expects every instance to see an update and the new state.
func (e *env) changeIsUpdate(base string, change func(*engine.Service)) {
	e.t.Helper()
	name := e.name(base)
	s := service(name, "1.0.0", node(base+"-1", "127.0.0.1:8331"))
	rec := e.watch(e.b, engine.WatchService(name))
	e.mustRegister(e.a, s)
	rec.waitFor("create", action(engine.ActionCreate, name))
	changed := engine.CopyService(s)
	change(changed)
	e.mustRegister(e.a, changed)
	r := rec.waitFor("update", action(engine.ActionUpdate, name))
	if err := sameService(r.Service, changed); err != nil {
		e.t.Fatalf("update event: %v", err)
	}
	e.has(e.b, name, changed)
	e.has(e.a, name, changed)
	if err := sameServices([]*engine.Service{changed}, []*engine.Service{s}); err == nil {
		e.t.Fatal(fmt.Errorf("the change changed nothing"))
	}
}
