package enginetest

import (
	"time"

	"github.com/microreg/microreg/engine"
)

// caseTTLExpiryEmitsDelete is the conformance case TTLExpiryEmitsDelete.
func caseTTLExpiryEmitsDelete(e *env) {
	name := e.name("ttl")
	rec := e.watch(e.b, engine.WatchService(name))
	e.mustRegister(e.a, service(name, "1.0.0", node("ttl-1", "127.0.0.1:8401")), engine.RegisterTTL(e.world.TTL))
	rec.waitFor("create", action(engine.ActionCreate, name))
	e.advance(e.world.TTL + time.Second)
	rec.waitFor("delete on expiry", withNode(engine.ActionDelete, name, "ttl-1", ""))
	e.has(e.b, name)
	e.has(e.a, name)
}

// caseTTLExpiryKeepsOtherNodes is the conformance case TTLExpiryKeepsOtherNodes.
func caseTTLExpiryKeepsOtherNodes(e *env) {
	name := e.name("ttlmix")
	short := service(name, "1.0.0", node("ttlmix-short", "127.0.0.1:8411"))
	long := service(name, "1.0.0", node("ttlmix-long", "127.0.0.1:8412"))
	e.mustRegister(e.a, long)
	e.mustRegister(e.a, short, engine.RegisterTTL(e.world.TTL))
	e.has(e.b, name, service(name, "1.0.0", short.Nodes[0], long.Nodes[0]))
	e.advance(e.world.TTL + time.Second)
	e.has(e.b, name, long)
}

// caseTTLRefreshKeepsTheNode is the conformance case TTLRefreshKeepsTheNode.
func caseTTLRefreshKeepsTheNode(e *env) {
	// kept is refreshed, witness is not; both start with the same TTL.
	// Once witness has expired, kept must still be there: with a fake
	// clock both deadlines fall in the same expiry pass, so the check
	// is exact.
	name := e.name("ttlrefresh")
	kept := service(name, "1.0.0", node("ttlr-kept", "127.0.0.1:8421"))
	witness := service(name, "1.0.0", node("ttlr-witness", "127.0.0.1:8422"))
	ttl := engine.RegisterTTL(e.world.TTL)
	e.mustRegister(e.a, kept, ttl)
	e.mustRegister(e.a, witness, ttl)
	e.has(e.b, name, service(name, "1.0.0", kept.Nodes[0], witness.Nodes[0]))
	if e.advance(e.world.TTL / 2) {
		e.mustRegister(e.a, kept, ttl)
		e.advance(e.world.TTL - e.world.TTL/2)
		e.has(e.a, name, kept)
	} else {
		e.eventually("the unrefreshed node expires", func() error {
			if err := e.a.Register(kept, ttl); err != nil {
				return err
			}
			return sameServicesOf(e.a, name, kept)
		})
	}
	e.has(e.b, name, kept)
	e.advance(2 * e.world.TTL)
	if e.world.Clock != nil {
		e.has(e.b, name)
	}
}

// caseNoTTLNeverExpires is the conformance case NoTTLNeverExpires.
func caseNoTTLNeverExpires(e *env) {
	name := e.name("nottl")
	s := service(name, "1.0.0", node("nottl-1", "127.0.0.1:8431"))
	witness := service(e.name("nottl-witness"), "1.0.0", node("nottlw-1", "127.0.0.1:8432"))
	e.mustRegister(e.a, s)
	e.mustRegister(e.a, witness, engine.RegisterTTL(e.world.TTL))
	e.has(e.b, witness.Name, witness)
	e.advance(e.world.TTL + time.Second)
	e.has(e.a, witness.Name)
	e.has(e.a, name, s)
	e.has(e.b, name, s)
}

// sameServicesOf compares r's GetService(name) with want, once.
func sameServicesOf(r engine.Registry, name string, want ...*engine.Service) error {
	got, err := r.GetService(name)
	if err != nil {
		return err
	}
	return sameServices(got, want)
}
