package bench

import (
	"fmt"

	"github.com/microreg/microreg/registry"
)

// Workload sizes of the registry benchmarks.
const (
	Services = 1000
	Nodes    = 10
)

// ServiceName is the name of the i-th workload service.
func ServiceName(i int) string { return fmt.Sprintf("go.micro.srv.bench%04d", i) }

// WorkloadService is the i-th service of the workload: metadata, two
// endpoints with request and response types, and n nodes carrying the five
// metadata keys a go-micro server sets on every node.
func WorkloadService(i, n int) *registry.Service {
	s := &registry.Service{
		Name:     ServiceName(i),
		Version:  "1.0.0",
		Metadata: map[string]string{"team": "bench", "tier": fmt.Sprint(i % 3)},
		Endpoints: []*registry.Endpoint{
			{
				Name:     "Greeter.Hello",
				Request:  &registry.Value{Name: "Request", Type: "Request", Values: []*registry.Value{{Name: "name", Type: "string"}}},
				Response: &registry.Value{Name: "Response", Type: "Response", Values: []*registry.Value{{Name: "msg", Type: "string"}}},
				Metadata: map[string]string{"stream": "false"},
			},
			{
				Name:     "Greeter.Stream",
				Request:  &registry.Value{Name: "StreamRequest", Type: "StreamRequest"},
				Response: &registry.Value{Name: "StreamResponse", Type: "StreamResponse"},
				Metadata: map[string]string{"stream": "true"},
			},
		},
	}
	for j := 0; j < n; j++ {
		s.Nodes = append(s.Nodes, WorkloadNode(i, j))
	}
	return s
}

// WorkloadNode is node j of service i.
func WorkloadNode(i, j int) *registry.Node {
	return &registry.Node{
		Id:      fmt.Sprintf("%s-%d", ServiceName(i), j),
		Address: fmt.Sprintf("10.0.%d.%d:%d", i/250, i%250, 8000+j),
		Metadata: map[string]string{
			"broker": "http", "protocol": "mucp", "registry": "memory", "server": "mucp", "transport": "http",
		},
	}
}

// Fill registers the whole workload in r.
func Fill(r registry.Registry) error {
	for i := 0; i < Services; i++ {
		if err := r.Register(WorkloadService(i, Nodes)); err != nil {
			return err
		}
	}
	return nil
}
