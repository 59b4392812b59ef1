package consul_test

import (
	"fmt"
	"time"

	"github.com/microreg/microreg/micro5/consul"
	"github.com/microreg/microreg/micro5/registry"
)

// Register through the local agent and look the service up. The node stays
// passing while this process heartbeats; if it dies, Consul drops it.
// (Needs an agent on 127.0.0.1:8500, so it is compiled but not run.)
func Example() {
	r, err := consul.New(registry.Addrs("127.0.0.1:8500"))
	if err != nil {
		fmt.Println(err) // a bad configuration (consul.ErrConfig)
		return
	}
	defer r.Close()

	err = r.Register(&registry.Service{
		Name:    "greeter",
		Version: "1.0.0",
		Nodes:   []*registry.Node{{Id: "greeter-1", Address: "10.0.0.5:8080"}},
	}, registry.RegisterTTL(90*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	services, err := r.GetService("greeter") // later calls: from the local view
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(services[0].Nodes[0].Address)
}
