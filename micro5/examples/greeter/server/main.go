// Command server is the greeter server: an ordinary go-micro v5 program that
// registers the Say service with the backend chosen by --registry /
// MICRO_REGISTRY (default gossip) and serves until SIGTERM or SIGINT, when
// it deregisters and leaves.
//
//	go run ./micro5/examples/greeter/server --registry=consul --registry_address=127.0.0.1:8500
package main

import (
	"fmt"
	"os"

	"go-micro.dev/v5"

	"github.com/microreg/microreg/micro5/examples/greeter"
	"github.com/microreg/microreg/micro5/registry"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "greeter server:", err)
		os.Exit(1)
	}
}

func run() error {
	r, err := registry.FromArgs(os.Args[1:], greeter.DefaultBackend)
	if err != nil {
		return err
	}
	defer registry.Close(r)
	signals, stop := greeter.UntilSignal()
	defer stop()
	var svc micro.Service
	svc, err = greeter.NewServer(r, append(signals, micro.AfterStart(func() error {
		id, addr := greeter.Node(svc)
		fmt.Printf("registered %s node %s at %s with %s\n", greeter.ServiceName, id, addr, r.String())
		return nil
	}))...)
	if err != nil {
		return err
	}
	svc.Init()
	return svc.Run()
}
