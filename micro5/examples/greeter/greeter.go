// Package greeter is the classic go-micro Greeter for go-micro v5, shared by the greeter
// server and client programs, the demo and the cluster walkthrough: the
// Say.Hello handler, a server that runs it, and a client that finds it
// through the registry and calls it.
//
// Nothing here is backend-specific: the programs pick a backend with
// go-micro's --registry / --registry_address flags or MICRO_REGISTRY /
// MICRO_REGISTRY_ADDRESS (registry.FromArgs), or a program hands one over
// with micro.Registry.
package greeter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go-micro.dev/v5"
	"go-micro.dev/v5/broker"
	"go-micro.dev/v5/client"
	"go-micro.dev/v5/selector"
	"go-micro.dev/v5/server"

	pb "github.com/microreg/microreg/examples/greeter/proto"
	"github.com/microreg/microreg/internal/greet"
	"github.com/microreg/microreg/micro5/internal/face5"
	"github.com/microreg/microreg/micro5/registry"

	// Every backend of this module, so that --registry=NAME finds it.
	_ "github.com/microreg/microreg/micro5/consul"
	_ "github.com/microreg/microreg/micro5/etcd"
	_ "github.com/microreg/microreg/micro5/gossip"
	_ "github.com/microreg/microreg/micro5/mdns"
	_ "github.com/microreg/microreg/micro5/memory"
)

// ServiceName is the name the server registers and the client looks up.
const ServiceName = greet.Service

// DefaultBackend is the backend the programs use when neither flag nor
// environment names one: gossip, which needs no server and no multicast.
const DefaultBackend = "gossip"

// Say implements the Say service.
type Say struct{}

// Hello greets req.Name.
func (Say) Hello(_ context.Context, req *pb.Request, rsp *pb.Response) error {
	rsp.Msg = "Hello " + req.Name
	return nil
}

// NewServer returns a go-micro service running the Say handler, registered
// in r. It listens on loopback (127.0.0.1, a free port) unless
// --server_address says otherwise. Programs call its Init to read
// go-micro's flags, then Run.
func NewServer(r registry.Registry, opts ...micro.Option) (micro.Service, error) {
	base := append(own(r), micro.Name(ServiceName), micro.Version("latest"), micro.Address("127.0.0.1:0"))
	svc := micro.NewService(append(base, opts...)...)
	if err := RegisterSayHandler(svc.Server(), Say{}); err != nil {
		return nil, fmt.Errorf("greeter: register handler: %w", err)
	}
	return svc, nil
}

// Node returns the id and address a running server registered.
func Node(svc micro.Service) (id, address string) {
	o := svc.Server().Options()
	return o.Name + "-" + o.Id, o.Address
}

// NewClient returns a go-micro client service that finds the greeter
// through r. Programs call its Init to read go-micro's flags.
func NewClient(r registry.Registry, opts ...micro.Option) micro.Service {
	base := append(own(r), micro.Name(ServiceName+".client"))
	return micro.NewService(append(base, opts...)...)
}

// UntilSignal returns options that make a server's Run return, and
// deregister, on SIGINT or SIGTERM, caught from now on, and a func that
// stops catching them. go-micro's own Run catches them only after the
// server has registered and announced it, so a signal in between would
// kill the process still registered; programs use this instead.
func UntilSignal() ([]micro.Option, func()) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return []micro.Option{micro.Context(ctx), micro.HandleSignal(false)}, stop
}

// own gives a service its own server, client, selector and broker on
// registry r, not go-micro's process-wide defaults, which every other
// service in the process would share (stopping one would deregister the
// other; a client's lookups would go to whichever registry was set last),
// and a broker on loopback (go-micro's HTTP broker listens on every
// interface).
func own(r registry.Registry) []micro.Option {
	return []micro.Option{
		micro.Server(server.NewServer()),
		micro.Client(client.NewClient(client.Selector(selector.NewSelector(selector.Registry(r))))),
		micro.Registry(r),
		micro.Broker(broker.NewHttpBroker(broker.Addrs("127.0.0.1:0"), broker.Registry(r))),
	}
}

// Hello calls Say.Hello on the greeter, retrying until it answers or ctx
// ends (the server may not be registered or replicated yet), and returns
// the reply.
func Hello(ctx context.Context, c client.Client, name string) (string, error) {
	say := NewSayService(ServiceName, c)
	var last error
	for {
		callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		rsp, err := say.Hello(callCtx, &pb.Request{Name: name}, client.WithRetries(0))
		cancel()
		if err == nil {
			return rsp.Msg, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("greeter: no answer from %q: %w", ServiceName, errors.Join(ctx.Err(), last))
		case <-time.After(100 * time.Millisecond): // retry interval
		}
	}
}

// Discover waits until r lists a greeter node and returns its id and
// address.
func Discover(ctx context.Context, r registry.Registry) (id, address string, err error) {
	return greet.Discover(ctx, face5.Engine(r))
}

// WaitGone waits until node id is no longer registered in r.
func WaitGone(ctx context.Context, r registry.Registry, id string) error {
	return greet.WaitGone(ctx, face5.Engine(r), id)
}

// Watch prints the greeter nodes that come and go in r until ctx ends.
func Watch(ctx context.Context, r registry.Registry, out io.Writer) error {
	return greet.Watch(ctx, face5.Engine(r), out)
}
