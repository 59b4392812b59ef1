package enginetest

import (
	"fmt"

	"github.com/microreg/microreg/engine"
)

// The everyday order of events: a server registers first, a client process
// starts after it (a new instance of the world) and must find it, list it
// and follow its changes in a watch it starts then; a server restarts as a
// new process.
// caseLateInstanceFindsEarlierRegistration is the conformance case LateInstanceFindsEarlierRegistration.
func caseLateInstanceFindsEarlierRegistration(e *env) {
	name := e.name("late-get")
	s := richService(name)
	e.registered(s)
	e.has(e.instance(), name, s)
}

// caseLateInstanceListsEarlierRegistration is the conformance case LateInstanceListsEarlierRegistration.
func caseLateInstanceListsEarlierRegistration(e *env) {
	name := e.name("late-list")
	e.registered(service(name, "1.0.0", node("ll-1", "127.0.0.1:8411")))
	c := e.instance()
	e.eventually(fmt.Sprintf("ListServices on a new instance names %q", name), func() error {
		list, err := c.ListServices()
		if err != nil {
			return err
		}
		for _, s := range list {
			if s.Name == name {
				return nil
			}
		}
		return fmt.Errorf("%q not among %d services", name, len(list))
	})
}

// caseLateWatchSeesChangesToEarlierRegistration is the conformance case LateWatchSeesChangesToEarlierRegistration.
func caseLateWatchSeesChangesToEarlierRegistration(e *env) {
	// A watch reports changes, not the state before it: go-micro's
	// selector looks a service up, then watches it. A client that
	// started after the server does the same and must then see the
	// server's later changes, the removal of the node it looked up
	// included.
	name := e.name("late-watch")
	first := service(name, "1.0.0", node("lw-1", "127.0.0.1:8421"))
	e.registered(first)
	c := e.instance()
	e.has(c, name, first)
	all := e.watch(c)
	one := e.watch(c, engine.WatchService(name))
	e.mustRegister(e.a, service(name, "1.0.0", node("lw-2", "127.0.0.1:8422")))
	for _, rec := range []*recorder{all, one} {
		rec.waitFor("the second node, joined after the watch began", func(r *engine.Result) bool {
			return (r.Action == engine.ActionCreate || r.Action == engine.ActionUpdate) &&
				withNode(r.Action, name, "lw-2", "127.0.0.1:8422")(r)
		})
	}
	e.mustDeregister(e.a, first)
	for _, rec := range []*recorder{all, one} {
		rec.waitFor("delete of the node registered before the watch", withNode(engine.ActionDelete, name, "lw-1", ""))
	}
	e.has(c, name, service(name, "1.0.0", node("lw-2", "127.0.0.1:8422")))
}

// caseRestartedServerIsFoundAgain is the conformance case RestartedServerIsFoundAgain.
func caseRestartedServerIsFoundAgain(e *env) {
	name := e.name("restart")
	s := service(name, "1.0.0", node("rs-1", "127.0.0.1:8431"))
	e.registered(s)
	rec := e.watch(e.b, engine.WatchService(name))
	e.mustDeregister(e.a, s) // the server stops
	rec.waitFor("delete when the server stops", withNode(engine.ActionDelete, name, "rs-1", ""))
	e.has(e.b, name)
	restarted := service(name, "1.0.0", node("rs-1", "127.0.0.1:8432"))
	e.mustRegister(e.instance(), restarted) // a new process, same node id
	rec.waitFor("create when it is back", withNode(engine.ActionCreate, name, "rs-1", "127.0.0.1:8432"))
	e.has(e.b, name, restarted)
	e.has(e.instance(), name, restarted)
}

// registered registers s on the writer and waits until the reader sees
// it: the registration is settled before anything that starts later.
func (e *env) registered(s *engine.Service) {
	e.t.Helper()
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
}
