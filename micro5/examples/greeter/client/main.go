// Command client is the greeter client: an ordinary go-micro v5 program that
// finds the greeter through the backend chosen by --registry /
// MICRO_REGISTRY (default gossip), calls Say.Hello and prints the reply (or, with --watch, prints the
// greeter nodes that come and go).
//
//	go run ./micro5/examples/greeter/client --registry=consul --registry_address=127.0.0.1:8500 --greet=John
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"
	"go-micro.dev/v5"

	"github.com/microreg/microreg/micro5/examples/greeter"
	"github.com/microreg/microreg/micro5/registry"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "greeter client:", err)
		os.Exit(1)
	}
}

func run() error {
	r, err := registry.FromArgs(os.Args[1:], greeter.DefaultBackend)
	if err != nil {
		return err
	}
	defer registry.Close(r)
	var name string
	var wait, watch time.Duration
	svc := greeter.NewClient(r,
		micro.Flags(
			&cli.StringFlag{Name: "greet", Value: "John", Usage: "the name to greet"},
			&cli.DurationFlag{Name: "wait", Value: 15 * time.Second, Usage: "how long to wait for a greeter to answer"},
			&cli.DurationFlag{Name: "watch", Usage: "instead of calling, print the greeter nodes that come and go for this long"},
		),
		micro.Action(func(c *cli.Context) error {
			name, wait, watch = c.String("greet"), c.Duration("wait"), c.Duration("watch")
			return nil
		}),
	)
	svc.Init()
	if watch > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), watch)
		defer cancel()
		return greeter.Watch(ctx, r, os.Stdout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	id, addr, err := greeter.Discover(ctx, r)
	if err != nil {
		return err
	}
	fmt.Printf("discovered %s node %s at %s\n", greeter.ServiceName, id, addr)
	reply, err := greeter.Hello(ctx, svc.Client(), name)
	if err != nil {
		return err
	}
	fmt.Printf("reply: %q\n", reply)
	return nil
}
