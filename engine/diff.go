package engine

import (
	"maps"
	"slices"
)

// Diff turns two snapshots of one service name (one *Service per version)
// into the watch events that lead from old to new:
//   - a version only in new is a create carrying all of its nodes;
//   - nodes gone from a version are one delete carrying those nodes (all
//     of them when the version itself is gone);
//   - a version whose nodes were added or changed is an update carrying
//     those nodes; one whose metadata or endpoints changed is an update
//     carrying all of its nodes (go-micro's registry/cache ignores an
//     update with no nodes).
//
// Replaying the events in order on old (see Replay) gives new. The Results
// share memory with the snapshots: copy them before handing them out.
func Diff(old, new []*Service) []*Result {
	var out []*Result
	for _, n := range new {
		o := findVersion(old, n.Version)
		if o == nil {
			out = append(out, &Result{Action: ActionCreate, Service: n})
			continue
		}
		if gone := missingNodes(o.Nodes, n.Nodes); len(gone) > 0 {
			out = append(out, &Result{Action: ActionDelete, Service: withNodes(o, gone)})
		}
		if !maps.Equal(o.Metadata, n.Metadata) || !EqualEndpoints(o.Endpoints, n.Endpoints) {
			out = append(out, &Result{Action: ActionUpdate, Service: n})
		} else if fresh := changedNodes(o, n); len(fresh) > 0 {
			out = append(out, &Result{Action: ActionUpdate, Service: withNodes(n, fresh)})
		}
	}
	for _, o := range old {
		if findVersion(new, o.Version) == nil {
			out = append(out, &Result{Action: ActionDelete, Service: o})
		}
	}
	return out
}

// Replay applies one watch event to a snapshot of its service name and
// returns the new snapshot, leaving view untouched. It is how a consumer
// replays a watcher (as go-micro's registry/cache does): a create or update
// replaces the version's fields and merges its nodes, a delete removes the
// nodes it names and the version once none is left.
func Replay(view []*Service, r *Result) []*Service {
	if r == nil || r.Service == nil {
		return view
	}
	out := slices.Clone(view)
	i := slices.IndexFunc(out, func(s *Service) bool { return s.Version == r.Service.Version })
	switch r.Action {
	case ActionCreate, ActionUpdate:
		next := CopyService(r.Service)
		if i < 0 {
			return append(out, next)
		}
		for _, old := range out[i].Nodes {
			if findNode(next.Nodes, old.Id) == nil {
				next.Nodes = append(next.Nodes, old)
			}
		}
		out[i] = next
	case ActionDelete:
		if i < 0 {
			return out
		}
		kept := withNodes(out[i], nil)
		for _, n := range out[i].Nodes {
			if findNode(r.Service.Nodes, n.Id) == nil {
				kept.Nodes = append(kept.Nodes, n)
			}
		}
		if len(kept.Nodes) == 0 {
			return slices.Delete(out, i, i+1)
		}
		out[i] = kept
	}
	return out
}

func findVersion(list []*Service, version string) *Service {
	for _, s := range list {
		if s.Version == version {
			return s
		}
	}
	return nil
}

func findNode(nodes []*Node, id string) *Node {
	for _, n := range nodes {
		if n != nil && n.Id == id {
			return n
		}
	}
	return nil
}

func missingNodes(old, new []*Node) []*Node {
	var gone []*Node
	for _, o := range old {
		if findNode(new, o.Id) == nil {
			gone = append(gone, o)
		}
	}
	return gone
}

// changedNodes returns the nodes of n that o lacks or has otherwise.
func changedNodes(o, n *Service) []*Node {
	var out []*Node
	for _, node := range n.Nodes {
		if !EqualNode(findNode(o.Nodes, node.Id), node) {
			out = append(out, node)
		}
	}
	return out
}
