package memory_test

import (
	"fmt"

	"github.com/microreg/microreg/micro5/memory"
	"github.com/microreg/microreg/micro5/registry"
)

// A registry inside one process: register, look up, watch, and close.
func Example() {
	r, err := memory.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()

	w, _ := r.Watch(registry.WatchService("greeter"))
	defer w.Stop()

	_ = r.Register(&registry.Service{
		Name:    "greeter",
		Version: "1.0.0",
		Nodes:   []*registry.Node{{Id: "greeter-1", Address: "127.0.0.1:8080"}},
	})

	services, _ := r.GetService("greeter")
	fmt.Println(services[0].Name, services[0].Nodes[0].Address)

	event, _ := w.Next()
	fmt.Println(event.Action, event.Service.Name)

	_, err = r.GetService("nobody")
	fmt.Println(err == registry.ErrNotFound)
	// Output:
	// greeter 127.0.0.1:8080
	// create greeter
	// true
}
