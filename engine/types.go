package engine

import "time"

// Service is a named, versioned service and its nodes. Its fields, their
// order and their JSON are go-micro's registry.Service (v4, v5 and v6
// alike), so a face converts a pointer to one into a pointer to the other
// without copying (see the layout test in internal/face4).
type Service struct {
	Name      string            `json:"name"`
	Version   string            `json:"version"`
	Metadata  map[string]string `json:"metadata"`
	Endpoints []*Endpoint       `json:"endpoints"`
	Nodes     []*Node           `json:"nodes"`
}

// Node is one instance of a service.
type Node struct {
	Metadata map[string]string `json:"metadata"`
	Id       string            `json:"id"` //nolint:revive // go-micro's field name
	Address  string            `json:"address"`
}

// Endpoint describes one handler of a service.
type Endpoint struct {
	Request  *Value            `json:"request"`
	Response *Value            `json:"response"`
	Metadata map[string]string `json:"metadata"`
	Name     string            `json:"name"`
}

// Value describes a request or response type, recursively.
type Value struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Values []*Value `json:"values"`
}

// Result is one watch event.
type Result struct {
	Service *Service
	Action  string
}

// The actions a Result carries, as go-micro spells them.
const (
	// ActionCreate reports a service version that was not there before;
	// the Result's Service holds all of its nodes.
	ActionCreate = "create"
	// ActionUpdate reports a change to a known service version: the
	// Result's Service carries the nodes added or changed, or all of the
	// version's nodes when its metadata or endpoints changed. Consumers
	// merge its nodes by id, as go-micro's registry/cache does.
	ActionUpdate = "update"
	// ActionDelete reports nodes that left; the Result's Service holds
	// only the nodes removed. When the last node goes, so does the version.
	ActionDelete = "delete"
)

// DefaultTTL is go-micro's default RegisterTTL (its server re-registers
// every 30 s with a 90 s TTL).
const DefaultTTL = 90 * time.Second

// Registry is what every engine backend implements: go-micro's registry
// interface, method for method, on the engine's types. A face (the
// go-micro v4 packages of this module) turns it into go-micro's own.
type Registry interface {
	Init(...Option) error
	Options() Options
	Register(*Service, ...RegisterOption) error
	Deregister(*Service, ...DeregisterOption) error
	GetService(string, ...GetOption) ([]*Service, error)
	ListServices(...ListOption) ([]*Service, error)
	Watch(...WatchOption) (Watcher, error)
	String() string
}

// Watcher returns watch events until it is stopped.
type Watcher interface {
	// Next blocks until the next event, or returns ErrWatcherStopped.
	Next() (*Result, error)
	// Stop ends the watcher; a blocked Next returns.
	Stop()
}
