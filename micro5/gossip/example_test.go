package gossip_test

import (
	"fmt"
	"time"

	"go-micro.dev/v5/logger"

	"github.com/microreg/microreg/micro5/gossip"
	"github.com/microreg/microreg/micro5/registry"
)

// Two members of a cluster on loopback: one registers, the other finds it.
func Example() {
	// memberlist's own log lines go to the registry's logger; keep them
	// out of this example's output.
	quiet := registry.Logger(logger.NewLogger(logger.WithLevel(logger.FatalLevel)))

	a, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), quiet)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	seed, _ := a.LocalAddr()

	b, err := gossip.New(gossip.BindAddress("127.0.0.1", 0), registry.Addrs(seed), quiet)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()

	_ = a.Register(&registry.Service{
		Name:  "greeter",
		Nodes: []*registry.Node{{Id: "greeter-1", Address: "127.0.0.1:8080"}},
	})
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if s, err := b.GetService("greeter"); err == nil {
			fmt.Println("b found", s[0].Nodes[0].Id, "at", s[0].Nodes[0].Address)
			return
		}
	}
	fmt.Println("not found")
	// Output: b found greeter-1 at 127.0.0.1:8080
}
