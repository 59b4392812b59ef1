package enginetest

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/microreg/microreg/engine"
)

// caseReplayedWatchEqualsGetService is the conformance case ReplayedWatchEqualsGetService.
func caseReplayedWatchEqualsGetService(e *env) {
	rec := e.watch(e.b)
	e.replay(rec, 1)
}

// caseSlowWatcherLosesNothing is the conformance case SlowWatcherLosesNothing.
func caseSlowWatcherLosesNothing(e *env) {
	// The watcher is not read until every operation is done, so its
	// queue overflows; what it then delivers must still add up.
	w, err := e.b.Watch()
	if err != nil {
		e.t.Fatal(err)
	}
	model := e.churn(2)
	rec := e.record(w)
	e.converge(rec, model)
}

// replay churns on a while rec watches b, then checks the replayed view.
func (e *env) replay(rec *recorder, seed uint64) {
	model := e.churn(seed)
	e.converge(rec, model)
}

// churn makes World.Ops random registrations and deregistrations on a
// and returns the state they leave, name by name.
func (e *env) churn(seed uint64) map[string][]*engine.Service {
	rng := rand.New(rand.NewPCG(seed, 42))
	model := e.churnModel()
	for i := 0; i < e.world.Ops; i++ {
		e.churnStep(rng, model)
	}
	return model
}

// churnModel returns the empty state of the names churn works on.
func (e *env) churnModel() map[string][]*engine.Service {
	model := map[string][]*engine.Service{}
	for _, n := range []string{"churn-a", "churn-b", "churn-c", "churn-d"} {
		model[e.name(n)] = nil
	}
	return model
}

// churnStep makes one random registration or deregistration on a, of one
// of model's names, and applies it to model.
func (e *env) churnStep(rng *rand.Rand, model map[string][]*engine.Service) {
	names := make([]string, 0, len(model))
	for n := range model {
		names = append(names, n)
	}
	slices.Sort(names)
	versions := []string{"1.0.0", "2.0.0"}
	name := names[rng.IntN(len(names))]
	version := versions[rng.IntN(len(versions))]
	id := fmt.Sprintf("%s-%s-n%d", name[len(e.prefix)+1:], version, rng.IntN(5))
	if rng.IntN(3) == 0 {
		s := &engine.Service{Name: name, Version: version, Nodes: []*engine.Node{{Id: id}}}
		e.mustDeregister(e.a, s)
		model[name] = engine.Replay(model[name], &engine.Result{Action: engine.ActionDelete, Service: s})
		return
	}
	s := service(name, version, &engine.Node{
		Id:       id,
		Address:  fmt.Sprintf("127.0.0.1:%d", 10000+rng.IntN(50)),
		Metadata: map[string]string{"op": fmt.Sprint(rng.IntN(4))},
	})
	e.mustRegister(e.a, s)
	model[name] = engine.Replay(model[name], &engine.Result{Action: engine.ActionUpdate, Service: s})
}

// converge waits until both b's GetService and the view replayed from
// rec's events equal model for every name.
func (e *env) converge(rec *recorder, model map[string][]*engine.Service) {
	view := map[string][]*engine.Service{}
	e.eventually("the replayed watch view and GetService equal what was registered", func() error {
		events, err := rec.drain()
		for _, r := range events {
			view[r.Service.Name] = engine.Replay(view[r.Service.Name], r)
		}
		if err != nil {
			return fmt.Errorf("watcher ended: %w", err)
		}
		names := make([]string, 0, len(model))
		for n := range model {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, name := range names {
			want := model[name]
			if err := sameServices(view[name], want); err != nil {
				return fmt.Errorf("replayed view of %s: %w", name, err)
			}
			got, err := e.b.GetService(name)
			if len(want) == 0 {
				if err != engine.ErrNotFound { //nolint:errorlint // the sentinel itself is promised
					return fmt.Errorf("GetService(%s): want ErrNotFound, got %s, %v", name, describe(got), err)
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("GetService(%s): %w", name, err)
			}
			if err := sameServices(got, want); err != nil {
				return fmt.Errorf("GetService(%s): %w", name, err)
			}
		}
		return nil
	})
}
