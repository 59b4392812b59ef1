package mdns

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/zlibpool"
)

// A node travels in TXT strings (RFC 6763 §6): "mr=1" first; then
// readable key=value strings for people and DNS-SD browsers: name and
// version, and the node's metadata where each pair fits a string and they
// all fit readableBytes; then "d00=", "d01=", ... holding
// base64url(zlib(json)) of the node's service, cut to fit DNS's 255-byte
// strings, which is what microreg reads. A metadata key that is not a
// DNS-SD key (empty, "=" or a byte outside printable ASCII) or that would
// repeat one of these keys, in any case, is left out of the readable part.
const (
	txtMarker     = "mr=1"
	txtChunk      = 240
	maxTXTBytes   = 1 << 20
	readableBytes = 1300 // RFC 6763 §6.2's ceiling for a whole TXT record
)

// ErrBadTXT reports TXT data that does not decode to a service.
var ErrBadTXT = errors.New("mdns: bad TXT data")

type txtPayload struct {
	Service  *engine.Service `json:"s"`
	Instance string          `json:"i"`
	// At is when the registration was made (Unix nanoseconds, the
	// registrant's clock), on signed registries only (sign.go).
	At int64 `json:"t,omitempty"`
}

// encodeTXT packs one node of s (s.Nodes[0]) into TXT strings.
func encodeTXT(s *engine.Service) ([]string, error) { return encodeTXTAt(s, 0) }

// encodeTXTAt is encodeTXT with the registration's time in the payload.
func encodeTXTAt(s *engine.Service, at int64) ([]string, error) {
	body, err := json.Marshal(txtPayload{Service: s, At: at})
	if err != nil {
		return nil, err
	}
	chunks, err := zlibpool.Pack(body, base64.RawURLEncoding.EncodeToString, txtChunk)
	if err != nil {
		return nil, err
	}
	if len(chunks) > 100 {
		return nil, fmt.Errorf("mdns: service %s %w for a TXT record: %d strings of %d bytes, 100 allowed", s.Name, engine.ErrTooLarge, len(chunks), txtChunk)
	}
	out := readableTXT(s)
	for i, c := range chunks {
		out = append(out, fmt.Sprintf("d%02d=%s", i, c))
	}
	return out, nil
}

// decodeTXT reads what encodeTXT wrote. ok is false for TXT that is not
// ours; the service it returns has one node and passes validation.
func decodeTXT(txt []string) (s *engine.Service, ok bool, err error) {
	p, ok, err := decodePayload(txt)
	return p.Service, ok, err
}

// decodePayload is decodeTXT with the registration's time.
func decodePayload(txt []string) (p txtPayload, ok bool, err error) {
	if !isMicroreg(txt) {
		return p, false, nil
	}
	chunks := map[string]string{}
	for _, t := range txt {
		k, v, found := strings.Cut(t, "=")
		if found && len(k) == 3 && k[0] == 'd' {
			chunks[k] = v
		}
	}
	var enc strings.Builder
	for i := 0; ; i++ {
		c, found := chunks[fmt.Sprintf("d%02d", i)]
		if !found {
			break
		}
		enc.WriteString(c)
	}
	body, err := zlibpool.Unpack(enc.String(), base64.RawURLEncoding.DecodeString, maxTXTBytes)
	if err != nil {
		return txtPayload{}, true, fmt.Errorf("%w: %w", ErrBadTXT, err)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return txtPayload{}, true, fmt.Errorf("%w: %w", ErrBadTXT, err)
	}
	if err := engine.ValidateService(p.Service); err != nil {
		return txtPayload{}, true, fmt.Errorf("%w: %w", ErrBadTXT, err)
	}
	if len(p.Service.Nodes) != 1 {
		return txtPayload{}, true, fmt.Errorf("%w: %d nodes", ErrBadTXT, len(p.Service.Nodes))
	}
	return p, true, nil
}

// isMicroreg reports whether TXT strings are microreg's: the marker comes
// first (microreg before DNS-SD read only that), and is looked for
// anywhere.
func isMicroreg(txt []string) bool {
	return slices.Contains(txt, txtMarker)
}

// readableTXT is the marker and the readable strings of s's first node.
func readableTXT(s *engine.Service) []string {
	out := []string{txtMarker}
	used := map[string]bool{"mr": true}
	size := len(txtMarker) + 1
	add := func(k, v string) {
		kv := k + "=" + v
		if !txtKey(k) || used[strings.ToLower(k)] || isChunkKey(k) || len(kv) > 255 || size+len(kv)+1 > readableBytes {
			return
		}
		used[strings.ToLower(k)] = true
		size += len(kv) + 1
		out = append(out, kv)
	}
	add("name", s.Name)
	add("version", s.Version)
	meta := s.Nodes[0].Metadata
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		add(k, meta[k])
	}
	return out
}

// txtKey reports whether k may be a DNS-SD TXT key (RFC 6763 §6.4):
// printable US-ASCII other than '=', at least one byte.
func txtKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e || k[i] == '=' {
			return false
		}
	}
	return true
}

// isChunkKey reports whether k is a chunk's key, d and two digits.
func isChunkKey(k string) bool {
	return len(k) == 3 && (k[0] == 'd' || k[0] == 'D') && k[1] >= '0' && k[1] <= '9' && k[2] >= '0' && k[2] <= '9'
}

// microregRecords is how one node of this registry is served in microreg's
// own format (dnssd.go): one instance of the service type, pointed at from
// the type and from the service's subtype, with the whole node in its TXT.
// conflict numbers the instance name after a conflict (conflict.go).
//
// With keys, the TXT carries the registration's time at and is signed:
// for announcements and answers, and apart for the goodbye (sign.go).
func microregRecords(s *engine.Service, domain string, ip net.IP, port, conflict int, keys *keyring, at int64) (*recordSet, error) {
	if keys == nil {
		at = 0
	}
	txt, err := encodeTXTAt(s, at)
	if err != nil {
		return nil, err
	}
	var bye []string
	if keys != nil {
		txt, bye = keys.sign(purposeLive, txt), keys.sign(purposeBye, txt)
	}
	n := s.Nodes[0]
	label := instanceLabel(s.Name, s.Version, n.Id, conflict)
	return &recordSet{
		ptrs:     []string{typeName(domain), subtypeName(s.Name, domain)},
		asked:    []string{legacyTypeName(s.Name, domain)},
		instance: instanceName(label, domain),
		label:    label,
		target:   nodeLabel(s.Name, s.Version, n.Id) + "." + domain + ".",
		ip:       ip,
		port:     uint16(port),
		txt:      txt,
		byeTXT:   bye,
	}, nil
}
