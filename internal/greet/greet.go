// Package greet is the registry side of the greeter examples, on the
// engine's types so that the go-micro v4 and v5 greeters (and their tests)
// share it: waiting until the greeter is found, and until a node is gone.
// A face's registry reaches it through face4.Engine or face5.Engine.
package greet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/microreg/microreg/engine"
)

// Service is the name the greeter server registers and the client looks up.
const Service = "greeter"

// Discover waits until the registry lists a greeter node and returns its
// id and address.
func Discover(ctx context.Context, r engine.Registry) (id, address string, err error) {
	for {
		svcs, err := r.GetService(Service, engine.GetContext(ctx))
		if err == nil {
			for _, s := range svcs {
				for _, n := range s.Nodes {
					return n.Id, n.Address, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return "", "", fmt.Errorf("greet: not discovered: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond): // polling interval
		}
	}
}

// WaitGone waits until node id is no longer registered, through a watch
// (and a lookup, for a node gone before the watch began).
func WaitGone(ctx context.Context, r engine.Registry, id string) error {
	w, err := r.Watch(engine.WatchService(Service), engine.WatchContext(ctx))
	if err != nil {
		return fmt.Errorf("greet: watch: %w", err)
	}
	defer w.Stop()
	events := make(chan error, 1)
	go func() {
		for {
			res, err := w.Next()
			if err != nil {
				if errors.Is(err, engine.ErrWatcherStopped) {
					events <- err
					return
				}
				continue // a backend error, reported once: keep watching
			}
			if res.Action == engine.ActionDelete && hasNode(res.Service, id) {
				events <- nil
				return
			}
		}
	}()
	for {
		if !registered(r, id) {
			return nil
		}
		select {
		case err := <-events:
			if err == nil {
				return nil
			}
			return fmt.Errorf("greet: watch ended before %s left: %w", id, err)
		case <-ctx.Done():
			return fmt.Errorf("greet: %s still registered: %w", id, ctx.Err())
		case <-time.After(250 * time.Millisecond): // the lookup's polling interval
		}
	}
}

func registered(r engine.Registry, id string) bool {
	svcs, err := r.GetService(Service)
	if err != nil {
		return false
	}
	for _, s := range svcs {
		if hasNode(s, id) {
			return true
		}
	}
	return false
}

func hasNode(s *engine.Service, id string) bool {
	if s == nil {
		return false
	}
	for _, n := range s.Nodes {
		if n.Id == id {
			return true
		}
	}
	return false
}

// Watch writes a line to out for each greeter node that comes or goes in
// r ("watch: create greeter node ID", "watch: delete greeter node ID")
// until ctx ends; "watching" once the watch has begun.
func Watch(ctx context.Context, r engine.Registry, out io.Writer) error {
	w, err := r.Watch(engine.WatchService(Service), engine.WatchContext(ctx))
	if err != nil {
		return fmt.Errorf("greet: watch: %w", err)
	}
	defer w.Stop()
	fmt.Fprintln(out, "watching")
	for {
		res, err := w.Next()
		if errors.Is(err, engine.ErrWatcherStopped) {
			return nil
		}
		if err != nil {
			continue // a backend error, reported once: keep watching
		}
		for _, n := range res.Service.Nodes {
			fmt.Fprintf(out, "watch: %s %s node %s\n", res.Action, Service, n.Id)
		}
	}
}
