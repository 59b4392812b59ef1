// Command quickstart shows a go-micro service finding another through a
// microreg backend, in one process: a greeter service registers, a client
// watches and looks it up, the greeter stops and the client sees it go.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"os"

	"github.com/microreg/microreg/memory"
	"github.com/microreg/microreg/registry"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	r := memory.NewRegistry()
	defer registry.Close(r)
	fmt.Println("backend:", r.String())

	w, err := r.Watch(registry.WatchService("greeter"))
	if err != nil {
		return err
	}
	defer w.Stop()

	greeter := &registry.Service{
		Name:    "greeter",
		Version: "1.0.0",
		Nodes:   []*registry.Node{{Id: "greeter-1", Address: "127.0.0.1:8080", Metadata: map[string]string{"protocol": "grpc"}}},
	}
	if err := r.Register(greeter, registry.RegisterTTL(registry.DefaultTTL)); err != nil {
		return err
	}
	fmt.Println("registered greeter-1 at 127.0.0.1:8080")

	found, err := r.GetService("greeter")
	if err != nil {
		return err
	}
	fmt.Printf("discovered %s %s at %s\n", found[0].Name, found[0].Version, found[0].Nodes[0].Address)

	if err := r.Deregister(greeter); err != nil {
		return err
	}
	for _, want := range []string{registry.ActionCreate, registry.ActionDelete} {
		ev, err := w.Next()
		if err != nil {
			return err
		}
		if ev.Action != want {
			return fmt.Errorf("watch: got %s, want %s", ev.Action, want)
		}
		fmt.Printf("watch: %s %s\n", ev.Action, ev.Service.Nodes[0].Id)
	}
	if _, err := r.GetService("greeter"); err != registry.ErrNotFound { //nolint:errorlint // go-micro's sentinel
		return fmt.Errorf("greeter still found after deregistering: %v", err)
	}
	fmt.Println("greeter gone: registry.ErrNotFound")
	return nil
}
