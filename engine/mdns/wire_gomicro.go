package mdns

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/zlibpool"
)

// go-micro's own mDNS registry (go-micro.dev/v4/registry, util/mdns) speaks
// this format, read from its source:
//   - domain "micro."; one responder per node, instance
//     "<node id>.<service name>.micro." with the raw service name as the
//     service type, so a lookup is a PTR query for "<service name>.micro.";
//   - SRV and A/AAAA carry the node's address;
//   - TXT is hex(zlib(JSON{Metadata (the node's), Service, Version,
//     Endpoints})) cut into 255-byte strings, with no marker;
//   - one "<service name>._services.micro." entry per service (address
//     0.0.0.0:9999, empty TXT) answers "_services.micro." for listing;
//   - its client asks from an ephemeral port, waits 100 ms, keeps only
//     answers that echo its question and only the last node of each
//     message; a node is announced three times with TTL 120, never again.
const (
	goMicroDomain   = "micro."
	goMicroServices = "_services." + goMicroDomain
	goMicroTXTChunk = 255
	goMicroListPort = 9999
)

// goMicroTXT is go-micro's TXT payload; its JSON keys are the field names.
type goMicroTXT struct {
	Metadata  map[string]string
	Service   string
	Version   string
	Endpoints []*engine.Endpoint
}

// encodeGoMicroTXT packs one node of s as go-micro's TXT strings.
func encodeGoMicroTXT(s *engine.Service) ([]string, error) {
	body, err := json.Marshal(goMicroTXT{Metadata: s.Nodes[0].Metadata, Service: s.Name, Version: s.Version, Endpoints: s.Endpoints})
	if err != nil {
		return nil, err
	}
	return zlibpool.Pack(body, hex.EncodeToString, goMicroTXTChunk)
}

// decodeGoMicroTXT reads go-micro's TXT strings, with the same size limit
// as microreg's own.
func decodeGoMicroTXT(txt []string) (*goMicroTXT, error) {
	body, err := zlibpool.Unpack(strings.Join(txt, ""), hex.DecodeString, maxTXTBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: go-micro TXT: %w", ErrBadTXT, err)
	}
	var t goMicroTXT
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, fmt.Errorf("%w: go-micro TXT: %w", ErrBadTXT, err)
	}
	return &t, nil
}

// goMicroName is the name go-micro looks a service up by.
func goMicroName(service string) string { return service + "." + goMicroDomain }

// goMicroNameOK reports whether go-micro's names for a node of service
// are valid DNS names (every label at most 63 bytes, 255 in all).
func goMicroNameOK(service, id string) bool {
	_, ok := dns.IsDomainName(id + "." + service + "." + goMicroDomain)
	return ok && !strings.Contains(service, "..") && !strings.Contains(id, "..") &&
		!strings.HasPrefix(id, ".") && !strings.HasSuffix(service, ".") && !strings.HasPrefix(service, ".")
}

// goMicroRecords is how one node of this registry is served in go-micro's
// format. The SRV's target is the node's microreg instance name, which a
// go-micro node's (its host name) never is: a microreg reader skips these
// copies and reads the node's microreg records, which carry more (the
// service's metadata). ok is false when go-micro's names cannot hold the
// node, or its address has no port.
func goMicroRecords(s *engine.Service, ip net.IP, port int) (set *recordSet, ok bool, err error) {
	n := s.Nodes[0]
	if !goMicroNameOK(s.Name, n.Id) || port <= 0 || port > 65535 {
		return nil, false, nil
	}
	txt, err := encodeGoMicroTXT(s)
	if err != nil {
		return nil, false, err
	}
	return &recordSet{
		ptrs:     []string{goMicroName(s.Name)},
		instance: n.Id + "." + goMicroName(s.Name),
		target:   nodeLabel(s.Name, s.Version, n.Id) + "." + goMicroDomain,
		ip:       ip,
		port:     uint16(port),
		txt:      txt,
		alone:    true,
	}, true, nil
}

// goMicroListing is the entry go-micro's listing query finds for a
// service.
func goMicroListing(service string, ttl uint32) unit {
	name := service + "." + goMicroServices
	set := &recordSet{instance: name, target: name, ip: net.IPv4zero, port: goMicroListPort, txt: []string{}}
	return unit{rrs: set.records(ttl, goMicroServices), alone: true}
}

// goMicroNode reads one go-micro node from the records of one message: the
// TXT named name, the SRV on that name and the address on its target. ok
// is false when the message does not hold a whole node, or the node is a
// microreg node's go-micro copy.
func goMicroNode(name string, txt []string, recs messageRecords) (s *engine.Service, ok bool, err error) {
	srv := recs.srv[strings.ToLower(name)]
	if srv == nil {
		return nil, false, nil
	}
	ip := recs.addr[strings.ToLower(srv.Target)]
	if ip == nil {
		return nil, false, nil
	}
	t, err := decodeGoMicroTXT(txt)
	if err != nil {
		return nil, false, err
	}
	suffix := "." + goMicroName(t.Service)
	if t.Service == "" || !strings.HasSuffix(strings.ToLower(name), strings.ToLower(suffix)) {
		return nil, false, nil
	}
	id := name[:len(name)-len(suffix)]
	if first, _, _ := strings.Cut(srv.Target, "."); strings.EqualFold(first, nodeLabel(t.Service, t.Version, id)) {
		return nil, false, nil // a microreg node's copy
	}
	s = &engine.Service{Name: t.Service, Version: t.Version, Endpoints: t.Endpoints, Nodes: []*engine.Node{{
		Id: id, Address: net.JoinHostPort(ip.String(), fmt.Sprint(srv.Port)), Metadata: t.Metadata,
	}}}
	if err := engine.ValidateService(s); err != nil {
		return nil, false, fmt.Errorf("%w: go-micro node: %w", ErrBadTXT, err)
	}
	return s, true, nil
}

// messageRecords indexes one message's SRV and address records by their
// lower-cased names.
type messageRecords struct {
	srv  map[string]*dns.SRV
	addr map[string]net.IP
}

func indexRecords(rrs []dns.RR) messageRecords {
	m := messageRecords{srv: map[string]*dns.SRV{}, addr: map[string]net.IP{}}
	for _, rr := range rrs {
		switch rr := rr.(type) {
		case *dns.SRV:
			m.srv[strings.ToLower(rr.Hdr.Name)] = rr
		case *dns.A:
			m.addr[strings.ToLower(rr.Hdr.Name)] = rr.A
		case *dns.AAAA:
			if m.addr[strings.ToLower(rr.Hdr.Name)] == nil {
				m.addr[strings.ToLower(rr.Hdr.Name)] = rr.AAAA
			}
		}
	}
	return m
}
