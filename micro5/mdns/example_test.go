package mdns_test

import (
	"fmt"

	"go-micro.dev/v5/logger"

	"github.com/microreg/microreg/micro5/mdns"
	"github.com/microreg/microreg/micro5/registry"
)

// Two registries on one host: one announces a service, the other finds it
// in what it heard. (The package's tests, this example included, run in a
// private network namespace with lo as the only interface.)
func Example() {
	quiet := registry.Logger(logger.NewLogger(logger.WithLevel(logger.FatalLevel)))
	a, err := mdns.New(mdns.Interface("lo"), quiet)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	b, err := mdns.New(mdns.Interface("lo"), quiet)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	_ = a.Register(&registry.Service{
		Name:  "greeter",
		Nodes: []*registry.Node{{Id: "greeter-1", Address: "127.0.0.1:8080"}},
	})
	services, err := b.GetService("greeter") // heard already, or asked for
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(services[0].Nodes[0].Id, services[0].Nodes[0].Address)
	// Output: greeter-1 127.0.0.1:8080
}
