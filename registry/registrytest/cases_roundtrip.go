package registrytest

import "github.com/microreg/microreg/registry"

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
	s := &registry.Service{Name: e.name("bare"), Nodes: []*registry.Node{{Id: "bare-1", Address: "[::1]:8201"}}}
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
}

// caseReturnedServicesAreDeepCopies is the conformance case ReturnedServicesAreDeepCopies.
func caseReturnedServicesAreDeepCopies(e *env) {
	s := richService(e.name("copies"))
	e.mustRegister(e.a, s)
	e.has(e.b, s.Name, s)
	for _, r := range []registry.Registry{e.a, e.b} {
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
	want := copyService(s)
	e.mustRegister(e.a, s)
	scribble([]*registry.Service{s})
	e.has(e.a, want.Name, want)
	e.has(e.b, want.Name, want)
}

// scribble changes everything reachable from list, as a careless caller
// might.
func scribble(list []*registry.Service) {
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
			s.Nodes[0] = &registry.Node{Id: "intruder", Address: "10.9.9.9:2"}
		}
		s.Nodes = append(s.Nodes, &registry.Node{Id: "extra", Address: "10.9.9.9:3"})
		s.Version = "scribbled"
	}
}
