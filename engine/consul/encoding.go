package consul

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/zlibpool"
)

// Consul's limits on service Meta: 64 pairs, keys of letters, digits, _
// and - of at most 128 bytes, values of at most 512 bytes; keys starting
// "consul-" are Consul's own.
const (
	metaPairsMax = 64
	metaKeyMax   = 128
	metaValueMax = 512
	chunkPrefix  = "microreg"
	maxChunks    = 60
	versionTag   = "microreg-version="
	markerTag    = "microreg"
	maxEncoded   = 1 << 20
)

// payload is what a node carries in the compressed Meta chunks: what
// cannot travel as plain Meta, and which plain keys are whose.
type payload struct {
	Version   string             `json:"v,omitempty"`
	Metadata  map[string]string  `json:"m,omitempty"` // service metadata not in plain Meta
	Node      map[string]string  `json:"n,omitempty"` // node metadata not in plain Meta
	Endpoints []*engine.Endpoint `json:"e,omitempty"`
	PlainNode []string           `json:"pn,omitempty"` // node metadata keys in plain Meta
	PlainSvc  []string           `json:"ps,omitempty"` // service metadata keys in plain Meta
}

// plainKey reports whether k can be a plain Meta key of go-micro metadata:
// Consul accepts it, and it is neither Consul's nor microreg's own.
func plainKey(k string) bool {
	if len(k) == 0 || len(k) > metaKeyMax || strings.HasPrefix(k, "consul-") || strings.HasPrefix(k, chunkPrefix) {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// encodeMeta lays a node out in Consul Meta (the layout the package doc describes):
//   - extra, the user's own Meta, as given;
//   - the node's metadata, then the service's, as plain Meta wherever
//     Consul accepts the key and value and the key is not taken: extra
//     wins over both, and a node key over a service key of the same name
//     (that service value is kept compressed);
//   - everything else, with the version and endpoints, compressed into
//     chunks "microreg00", "microreg01"..., which also name the plain keys
//     that are metadata, so reading merges both exactly.
//
// When the pairs would pass Consul's 64, plain entries move into the
// chunks, the service's first.
func encodeMeta(s *engine.Service, n *engine.Node, extra map[string]string) (map[string]string, error) {
	meta := maps.Clone(extra)
	if meta == nil {
		meta = map[string]string{}
	}
	type entry struct {
		k, v string
		node bool
	}
	var plain []entry
	p := payload{Version: s.Version, Endpoints: s.Endpoints, Metadata: map[string]string{}, Node: map[string]string{}}
	for _, k := range slices.Sorted(maps.Keys(n.Metadata)) {
		v := n.Metadata[k]
		if _, taken := meta[k]; taken || !plainKey(k) || len(v) > metaValueMax {
			p.Node[k] = v
			continue
		}
		plain = append(plain, entry{k, v, true})
	}
	for _, k := range slices.Sorted(maps.Keys(s.Metadata)) {
		v := s.Metadata[k]
		_, taken := meta[k]
		_, nodeKey := n.Metadata[k]
		if taken || nodeKey || !plainKey(k) || len(v) > metaValueMax {
			p.Metadata[k] = v
			continue
		}
		plain = append(plain, entry{k, v, false})
	}
	for {
		p.PlainNode, p.PlainSvc = nil, nil
		for _, e := range plain {
			if e.node {
				p.PlainNode = append(p.PlainNode, e.k)
			} else {
				p.PlainSvc = append(p.PlainSvc, e.k)
			}
		}
		chunks, err := encodeChunks(p)
		if err != nil {
			return nil, err
		}
		if len(meta)+len(plain)+len(chunks) <= metaPairsMax {
			for _, e := range plain {
				meta[e.k] = e.v
			}
			for i, c := range chunks {
				meta[fmt.Sprintf("%s%02d", chunkPrefix, i)] = c
			}
			return meta, nil
		}
		if len(plain) == 0 {
			return nil, fmt.Errorf("consul: service data %w for Consul metadata: %d Meta pairs of your own and %d chunks, Consul allows %d", engine.ErrTooLarge, len(meta), len(chunks), metaPairsMax)
		}
		e := plain[len(plain)-1]
		plain = plain[:len(plain)-1]
		if e.node {
			p.Node[e.k] = e.v
		} else {
			p.Metadata[e.k] = e.v
		}
	}
}

// encodeChunks compresses p into Meta values: JSON, zlib, base64url, cut
// into values of 512 bytes.
func encodeChunks(p payload) ([]string, error) {
	if len(p.Metadata) == 0 {
		p.Metadata = nil
	}
	if len(p.Node) == 0 {
		p.Node = nil
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	out, err := zlibpool.Pack(body, base64.RawURLEncoding.EncodeToString, metaValueMax)
	if err != nil {
		return nil, err
	}
	if len(out) > maxChunks {
		return nil, fmt.Errorf("consul: service data %w for Consul metadata (about 30 KB compressed): %d values of %d bytes encoded, %d allowed", engine.ErrTooLarge, len(out), metaValueMax, maxChunks)
	}
	return out, nil
}

// decodeMeta reads what encodeMeta wrote, merging the plain metadata back;
// ok is false if meta holds no chunks.
func decodeMeta(meta map[string]string) (p payload, ok bool, err error) {
	var enc strings.Builder
	for i := 0; i < maxChunks; i++ {
		chunk, found := meta[fmt.Sprintf("%s%02d", chunkPrefix, i)]
		if !found {
			break
		}
		enc.WriteString(chunk)
	}
	if enc.Len() == 0 {
		return p, false, nil
	}
	body, err := zlibpool.Unpack(enc.String(), base64.RawURLEncoding.DecodeString, maxEncoded)
	if err != nil {
		return p, true, fmt.Errorf("consul: bad or oversized metadata: %w", err)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, true, fmt.Errorf("consul: bad metadata: %w", err)
	}
	merge := func(into map[string]string, keys []string) map[string]string {
		for _, k := range keys {
			if v, found := meta[k]; found {
				if into == nil {
					into = map[string]string{}
				}
				into[k] = v
			}
		}
		return into
	}
	p.Node = merge(p.Node, p.PlainNode)
	p.Metadata = merge(p.Metadata, p.PlainSvc)
	p.PlainNode, p.PlainSvc = nil, nil
	return p, true, nil
}

// pluginPayload reads the tags go-micro's consul plugin writes (v-, t-,
// e- + hex(zlib(json))), so a fleet can move one service at a time.
func pluginPayload(tags []string, meta map[string]string) payload {
	p := payload{}
	for _, tag := range tags {
		if len(tag) < 2 || tag[1] != '-' {
			continue
		}
		buf := unhexZlib(tag[2:])
		if buf == nil {
			continue
		}
		switch tag[0] {
		case 'v':
			p.Version = string(buf)
		case 't':
			var kv map[string]string
			if json.Unmarshal(buf, &kv) == nil {
				if p.Node == nil {
					p.Node = map[string]string{}
				}
				for k, v := range kv {
					p.Node[k] = v
				}
			}
		case 'e':
			var e engine.Endpoint
			if json.Unmarshal(buf, &e) == nil {
				p.Endpoints = append(p.Endpoints, &e)
			}
		}
	}
	if p.Node == nil && len(meta) > 0 {
		p.Node = meta
	}
	return p
}

func unhexZlib(s string) []byte {
	buf, err := zlibpool.Unpack(s, hex.DecodeString, maxEncoded)
	if err != nil {
		return nil
	}
	return buf
}

// toRegistration is one go-micro node as a Consul service instance, with
// the user's extras.
func toRegistration(s *engine.Service, n *engine.Node, x extras, pluginTags bool) (*api.AgentServiceRegistration, error) {
	host, portStr, err := net.SplitHostPort(n.Address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, err
	}
	meta, err := encodeMeta(s, n, x.meta)
	if err != nil {
		return nil, err
	}
	return &api.AgentServiceRegistration{ID: n.Id, Name: s.Name, Address: host, Port: port, Meta: meta,
		Tags: registrationTags(s, n, x.tags, pluginTags)}, nil
}

// fromEntries groups a health query's instances into one Service per
// version; a version's fields come from its most recently changed
// instance. Instances whose data cannot be read are skipped and reported.
func fromEntries(name string, entries []*api.ServiceEntry) ([]*engine.Service, error) {
	byVersion := map[string]*engine.Service{}
	newest := map[string]uint64{}
	var errs []error
	for _, e := range entries {
		if e.Service == nil || e.Service.Service != name {
			continue
		}
		p, ours, err := decodeMeta(e.Service.Meta)
		if err != nil {
			errs = append(errs, fmt.Errorf("instance %s: %w", e.Service.ID, err))
			continue
		}
		if !ours {
			p = pluginPayload(e.Service.Tags, e.Service.Meta)
		}
		addr := e.Service.Address
		if addr == "" && e.Node != nil {
			addr = e.Node.Address
		}
		s, ok := byVersion[p.Version]
		if !ok {
			s = &engine.Service{Name: name, Version: p.Version}
			byVersion[p.Version] = s
		}
		if idx := e.Service.ModifyIndex; !ok || idx >= newest[p.Version] {
			newest[p.Version] = idx
			s.Metadata, s.Endpoints = p.Metadata, p.Endpoints
		}
		s.Nodes = append(s.Nodes, &engine.Node{
			Id:       e.Service.ID,
			Address:  net.JoinHostPort(addr, strconv.Itoa(e.Service.Port)),
			Metadata: p.Node,
		})
	}
	out := make([]*engine.Service, 0, len(byVersion))
	for _, s := range byVersion {
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}

// versionsFromTags reads the versions a catalog listing's tags name.
func versionsFromTags(tags []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tags {
		v, ok := strings.CutPrefix(t, versionTag)
		if !ok && strings.HasPrefix(t, "v-") {
			if buf := unhexZlib(t[2:]); buf != nil {
				v, ok = string(buf), true
			}
		}
		if ok && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
