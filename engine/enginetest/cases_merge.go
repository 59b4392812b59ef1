package enginetest

// caseSameVersionMergesNodes is the conformance case SameVersionMergesNodes.
func caseSameVersionMergesNodes(e *env) {
	name := e.name("merge")
	n1, n2 := node("merge-1", "127.0.0.1:8101"), node("merge-2", "127.0.0.1:8102")
	e.mustRegister(e.a, service(name, "1.0.0", n1))
	e.mustRegister(e.a, service(name, "1.0.0", n2))
	e.has(e.b, name, service(name, "1.0.0", n1, n2))
}

// caseEveryNodeOfAServiceIsRegistered is the conformance case EveryNodeOfAServiceIsRegistered.
func caseEveryNodeOfAServiceIsRegistered(e *env) {
	name := e.name("multi")
	s := service(name, "1.0.0",
		node("multi-1", "127.0.0.1:8111"), node("multi-2", "127.0.0.1:8112"), node("multi-3", "127.0.0.1:8113"))
	e.mustRegister(e.a, s)
	e.has(e.b, name, s)
}

// caseDeregisterOneNodeKeepsTheOthers is the conformance case DeregisterOneNodeKeepsTheOthers.
func caseDeregisterOneNodeKeepsTheOthers(e *env) {
	name := e.name("keep")
	n1, n2 := node("keep-1", "127.0.0.1:8121"), node("keep-2", "127.0.0.1:8122")
	e.mustRegister(e.a, service(name, "1.0.0", n1, n2))
	e.has(e.b, name, service(name, "1.0.0", n1, n2))
	e.mustDeregister(e.a, service(name, "1.0.0", n1))
	e.has(e.b, name, service(name, "1.0.0", n2))
}

// caseDeregisterLastNodeRemovesTheVersion is the conformance case DeregisterLastNodeRemovesTheVersion.
func caseDeregisterLastNodeRemovesTheVersion(e *env) {
	name := e.name("lastnode")
	v1 := service(name, "1.0.0", node("last-1", "127.0.0.1:8131"))
	v2 := service(name, "2.0.0", node("last-2", "127.0.0.1:8132"))
	e.mustRegister(e.a, v1)
	e.mustRegister(e.a, v2)
	e.has(e.b, name, v1, v2)
	e.mustDeregister(e.a, v1)
	e.has(e.b, name, v2)
	e.mustDeregister(e.a, v2)
	e.has(e.b, name)
}

// caseDifferentVersionsCoexist is the conformance case DifferentVersionsCoexist.
func caseDifferentVersionsCoexist(e *env) {
	name := e.name("versions")
	v1 := service(name, "1.0.0", node("ver-1", "127.0.0.1:8141"))
	v2 := service(name, "1.1.0", node("ver-2", "127.0.0.1:8142"))
	v2.Metadata = map[string]string{"team": "next"}
	e.mustRegister(e.a, v1)
	e.mustRegister(e.a, v2)
	e.has(e.b, name, v1, v2)
}

// caseReRegisterUnchangedIsIdempotent is the conformance case ReRegisterUnchangedIsIdempotent.
func caseReRegisterUnchangedIsIdempotent(e *env) {
	name := e.name("again")
	s := service(name, "1.0.0", node("again-1", "127.0.0.1:8151"))
	for i := 0; i < 3; i++ {
		e.mustRegister(e.a, s)
	}
	e.has(e.b, name, s)
}

// caseRegisterReplacesServiceFields is the conformance case RegisterReplacesServiceFields.
func caseRegisterReplacesServiceFields(e *env) {
	name := e.name("fields")
	s := service(name, "1.0.0", node("fields-1", "127.0.0.1:8161"))
	e.mustRegister(e.a, s)
	e.has(e.b, name, s)
	s2 := service(name, "1.0.0", node("fields-1", "127.0.0.1:8161"))
	s2.Metadata = map[string]string{"team": "platform", "tier": "gold"}
	e.mustRegister(e.a, s2)
	e.has(e.b, name, s2)
}
