package etcd_test

import (
	"fmt"
	"time"

	"github.com/microreg/microreg/micro5/etcd"
	"github.com/microreg/microreg/micro5/registry"
)

// Register on etcd and look the service up. The node lives on the
// registry's lease: Close revokes it and the node is gone at once; if the
// process dies, etcd drops the node when the lease's TTL runs out.
// (Needs etcd on 127.0.0.1:2379, so it is compiled but not run.)
func Example() {
	r, err := etcd.New(registry.Addrs("127.0.0.1:2379"))
	if err != nil {
		fmt.Println(err) // a bad configuration (etcd.ErrConfig)
		return
	}
	defer r.Close()
	svc := &registry.Service{Name: "greeter", Version: "1.0.0",
		Nodes: []*registry.Node{{Id: "greeter-1", Address: "127.0.0.1:9090"}}}
	if err := r.Register(svc, registry.RegisterTTL(30*time.Second)); err != nil {
		fmt.Println(err) // etcd.ErrUnavailable, etcd.ErrPermissionDenied...
		return
	}
	services, err := r.GetService("greeter")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(services[0].Nodes[0].Address)
}
