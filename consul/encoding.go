package consul

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/hashicorp/consul/api"

	"github.com/microreg/microreg/internal/zlibpool"
	"github.com/microreg/microreg/registry"
)

// Consul's limits on service Meta: 64 pairs, keys of letters, digits, _
// and -, values of at most 512 bytes.
const (
	metaValueMax = 512
	chunkPrefix  = "microreg"
	maxChunks    = 60
	versionTag   = "microreg-version="
	markerTag    = "microreg"
	maxEncoded   = 1 << 20
)

// ErrTooLarge reports a service whose data does not fit in Consul's
// service metadata even compressed (about 30 KB compressed).
var ErrTooLarge = errors.New("consul: service data too large for Consul metadata")

// payload is what a node carries beyond its address: everything go-micro
// knows of the service and node, compressed into Meta chunks.
type payload struct {
	Version   string               `json:"v,omitempty"`
	Metadata  map[string]string    `json:"m,omitempty"`
	Node      map[string]string    `json:"n,omitempty"`
	Endpoints []*registry.Endpoint `json:"e,omitempty"`
}

// encodeMeta packs a service's fields and one node's metadata into Consul
// Meta: JSON, zlib, base64url, cut into 512-byte values microreg00...
func encodeMeta(s *registry.Service, n *registry.Node) (map[string]string, error) {
	body, err := json.Marshal(payload{Version: s.Version, Metadata: s.Metadata, Node: n.Metadata, Endpoints: s.Endpoints})
	if err != nil {
		return nil, err
	}
	var z bytes.Buffer
	if err := zlibpool.Compress(&z, body); err != nil {
		return nil, err
	}
	enc := base64.RawURLEncoding.EncodeToString(z.Bytes())
	if len(enc) > maxChunks*metaValueMax {
		return nil, fmt.Errorf("%w: %d bytes encoded, %d allowed", ErrTooLarge, len(enc), maxChunks*metaValueMax)
	}
	meta := map[string]string{}
	for i := 0; len(enc) > 0; i++ {
		n := min(len(enc), metaValueMax)
		meta[fmt.Sprintf("%s%02d", chunkPrefix, i)] = enc[:n]
		enc = enc[n:]
	}
	return meta, nil
}

// decodeMeta reads what encodeMeta wrote; ok is false if meta holds none.
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
	raw, err := base64.RawURLEncoding.DecodeString(enc.String())
	if err != nil {
		return p, true, fmt.Errorf("consul: bad metadata encoding: %w", err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return p, true, fmt.Errorf("consul: bad metadata compression: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(zr, maxEncoded+1))
	if err != nil || len(body) > maxEncoded {
		return p, true, fmt.Errorf("consul: bad or oversized metadata: %v", err)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, true, fmt.Errorf("consul: bad metadata: %w", err)
	}
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
			var e registry.Endpoint
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
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil
	}
	buf, err := io.ReadAll(io.LimitReader(zr, maxEncoded))
	if err != nil {
		return nil
	}
	return buf
}

// toRegistration is one go-micro node as a Consul service instance.
func toRegistration(s *registry.Service, n *registry.Node) (*api.AgentServiceRegistration, error) {
	host, portStr, err := net.SplitHostPort(n.Address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, err
	}
	meta, err := encodeMeta(s, n)
	if err != nil {
		return nil, err
	}
	tags := []string{markerTag}
	if len(s.Version) <= 200 {
		tags = append(tags, versionTag+s.Version)
	}
	return &api.AgentServiceRegistration{ID: n.Id, Name: s.Name, Address: host, Port: port, Meta: meta, Tags: tags}, nil
}

// fromEntries groups a health query's instances into one Service per
// version; a version's fields come from its most recently changed
// instance. Instances whose data cannot be read are skipped and reported.
func fromEntries(name string, entries []*api.ServiceEntry) ([]*registry.Service, error) {
	byVersion := map[string]*registry.Service{}
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
			s = &registry.Service{Name: name, Version: p.Version}
			byVersion[p.Version] = s
		}
		if idx := e.Service.ModifyIndex; !ok || idx >= newest[p.Version] {
			newest[p.Version] = idx
			s.Metadata, s.Endpoints = p.Metadata, p.Endpoints
		}
		s.Nodes = append(s.Nodes, &registry.Node{
			Id:       e.Service.ID,
			Address:  net.JoinHostPort(addr, strconv.Itoa(e.Service.Port)),
			Metadata: p.Node,
		})
	}
	out := make([]*registry.Service, 0, len(byVersion))
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
