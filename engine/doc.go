// Package engine is microreg's registry engine, free of go-micro: the kit
// a registry backend is built from, as database/sql/driver is the kit a
// database driver is built from. Service authors use the go-micro face
// instead (github.com/microreg/microreg/registry and the backend packages
// beside it), which hands go-micro its own types.
//
// It holds:
//
//   - the types (Service, Node, Endpoint, Value, Result), field for field
//     and in JSON go-micro's, so a face converts a pointer to one into a
//     pointer to the other without copying;
//   - Registry and Watcher, go-micro's interface on these types, and the
//     options (Options, the call options, BackendOption for a backend's
//     own, CheckOptions and CheckInit so that an option that cannot apply
//     is an error naming it);
//   - Store: the in-memory view every backend keeps, with TTLs on a Clock,
//     watch fan-out with coalescing queues, deep copies on the way in and
//     out;
//   - ValidateService and its limits, Diff and Replay (the watch events
//     between two snapshots), CopyService, EqualNode and PerNode;
//   - Diagnose and its Findings, the shared half of microreg doctor.
//
// The backends are engine/memory, engine/gossip, engine/mdns and
// engine/consul. None of these packages imports go-micro:
//
//	go list -deps ./engine/... | grep go-micro.dev   # prints nothing
package engine
