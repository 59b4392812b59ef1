package greeter

// The Say service's go-micro glue, written by hand in the shape of
// protoc-gen-micro's output (the generator is not served by the module
// proxy), less the API-gateway endpoints function, whose import would pull
// go-micro's api package in. Its messages are in ./proto, which imports
// no go-micro package, so the go-micro v5 greeter shares them.

import (
	"context"

	"go-micro.dev/v4/client"
	"go-micro.dev/v4/server"

	pb "github.com/microreg/microreg/examples/greeter/proto"
)

// SayService is the client API for the Say service.
type SayService interface {
	Hello(ctx context.Context, in *pb.Request, opts ...client.CallOption) (*pb.Response, error)
}

type sayService struct {
	c    client.Client
	name string
}

// NewSayService returns a client of the Say service registered as name.
func NewSayService(name string, c client.Client) SayService {
	return &sayService{
		c:    c,
		name: name,
	}
}

func (c *sayService) Hello(ctx context.Context, in *pb.Request, opts ...client.CallOption) (*pb.Response, error) {
	req := c.c.NewRequest(c.name, "Say.Hello", in)
	out := new(pb.Response)
	err := c.c.Call(ctx, req, out, opts...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SayHandler is the server API for the Say service.
type SayHandler interface {
	Hello(context.Context, *pb.Request, *pb.Response) error
}

// RegisterSayHandler registers hdlr with s as the Say service.
func RegisterSayHandler(s server.Server, hdlr SayHandler, opts ...server.HandlerOption) error {
	type say interface {
		Hello(ctx context.Context, in *pb.Request, out *pb.Response) error
	}
	type Say struct {
		say
	}
	h := &sayHandler{hdlr}
	return s.Handle(s.NewHandler(&Say{h}, opts...))
}

type sayHandler struct {
	SayHandler
}

func (h *sayHandler) Hello(ctx context.Context, in *pb.Request, out *pb.Response) error {
	return h.SayHandler.Hello(ctx, in, out)
}
