package enginetest

import "github.com/microreg/microreg/engine"

// caseMetadataAndValuesRoundTrip is the conformance case MetadataAndValuesRoundTrip.
func caseMetadataAndValuesRoundTrip(e *env) {
	s := richService(e.name("rich"))
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
}

// caseLargeServiceRoundTrips is the conformance case LargeServiceRoundTrips.
func caseLargeServiceRoundTrips(e *env) {
	s := largeService(e.name("large"))
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
}

// caseEmptyVersionAndMetadataRoundTrip is the conformance case EmptyVersionAndMetadataRoundTrip.
func caseEmptyVersionAndMetadataRoundTrip(e *env) {
	s := &engine.Service{Name: e.name("bare"), Nodes: []*engine.Node{{Id: "bare-1", Address: "[::1]:8201"}}}
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
}

// caseReturnedServicesAreDeepCopies is the conformance case ReturnedServicesAreDeepCopies.
func caseReturnedServicesAreDeepCopies(e *env) {
	s := richService(e.name("copies"))
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
	for _, r := range []engine.Registry{e.a, e.b} {
		got, err := r.GetService(s.Name)
		if err != nil {
			e.t.Fatal(err)
		}
		scribble(got)
		list, err := r.ListServices()
		if err != nil {
			e.t.Fatal(err)
		}
		scribble(list)
		e.has(r, s.Name, s)
	}
}

// caseRegisterDoesNotKeepTheCallersService is the conformance case RegisterDoesNotKeepTheCallersService.
func caseRegisterDoesNotKeepTheCallersService(e *env) {
	s := richService(e.name("input"))
	want := engine.CopyService(s)
	e.mustRegister(e.a, s)
	scribble([]*engine.Service{s})
	e.has(e.a, want.Name, want)
	e.has(e.b, want.Name, want)
}

// scribble changes everything reachable from list, as a careless caller
// might.
func scribble(list []*engine.Service) {
	for _, s := range list {
		if s.Metadata != nil {
			s.Metadata["team"] = "scribbled"
		}
		for _, n := range s.Nodes {
			n.Address = "10.9.9.9:1"
			if n.Metadata != nil {
				n.Metadata["zone"] = "scribbled"
			}
		}
		for _, ep := range s.Endpoints {
			ep.Name = "Scribbled"
			if ep.Metadata != nil {
				ep.Metadata["stream"] = "scribbled"
			}
			for v := ep.Request; v != nil; {
				v.Name = "scribbled"
				if len(v.Values) == 0 {
					break
				}
				v = v.Values[0]
			}
		}
		if len(s.Nodes) > 0 {
			s.Nodes[0] = &engine.Node{Id: "intruder", Address: "10.9.9.9:2"}
		}
		s.Nodes = append(s.Nodes, &engine.Node{Id: "extra", Address: "10.9.9.9:3"})
		s.Version = "scribbled"
	}
}
