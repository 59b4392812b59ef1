package mdns

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/zlibpool"
)

// A node travels in TXT strings: "mr=1" then "d00=", "d01=", ... holding
// base64url(zlib(json)) of the node's service, cut to fit DNS's 255-byte
// strings.
const (
	txtMarker   = "mr=1"
	txtChunk    = 240
	maxTXTBytes = 1 << 20
)

// ErrBadTXT reports TXT data that does not decode to a service.
var ErrBadTXT = errors.New("mdns: bad TXT data")

type txtPayload struct {
	Service  *engine.Service `json:"s"`
	Instance string          `json:"i"`
}

// encodeTXT packs one node of s (s.Nodes[0]) into TXT strings.
func encodeTXT(s *engine.Service) ([]string, error) {
	body, err := json.Marshal(txtPayload{Service: s})
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
	out := make([]string, 1, len(chunks)+1)
	out[0] = txtMarker
	for i, c := range chunks {
		out = append(out, fmt.Sprintf("d%02d=%s", i, c))
	}
	return out, nil
}

// decodeTXT reads what encodeTXT wrote. ok is false for TXT that is not
// ours; the service it returns has one node and passes validation.
func decodeTXT(txt []string) (s *engine.Service, ok bool, err error) {
	if len(txt) == 0 || txt[0] != txtMarker {
		return nil, false, nil
	}
	chunks := map[string]string{}
	for _, t := range txt[1:] {
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
		return nil, true, fmt.Errorf("%w: %w", ErrBadTXT, err)
	}
	var p txtPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, true, fmt.Errorf("%w: %w", ErrBadTXT, err)
	}
	if err := engine.ValidateService(p.Service); err != nil {
		return nil, true, fmt.Errorf("%w: %w", ErrBadTXT, err)
	}
	if len(p.Service.Nodes) != 1 {
		return nil, true, fmt.Errorf("%w: %d nodes", ErrBadTXT, len(p.Service.Nodes))
	}
	return p.Service, true, nil
}

// serviceType is the DNS-SD type a service name is announced under: a
// label DNS accepts whatever the name holds.
func serviceType(name string) string {
	h := sha256.Sum256([]byte(name))
	return "_mr" + hex.EncodeToString(h[:6]) + "._tcp"
}

// browseType is the type every microreg node is also announced under, so
// one query finds them all.
const browseType = "_microreg._tcp"

// instanceName names one node of one service version, as a DNS label.
func instanceName(name, version, id string) string {
	h := sha256.Sum256([]byte(name + "\x00" + version + "\x00" + id))
	return "mr" + hex.EncodeToString(h[:12])
}

// microregRecords is how one node of this registry is served in microreg's
// own format: one instance name under the service's type, pointed at from
// that type and from the browse type, with the whole node in its TXT.
func microregRecords(s *engine.Service, domain string, ip net.IP, port int) (*recordSet, error) {
	txt, err := encodeTXT(s)
	if err != nil {
		return nil, err
	}
	n := s.Nodes[0]
	inst := instanceName(s.Name, s.Version, n.Id)
	return &recordSet{
		ptrs:     []string{serviceType(s.Name) + "." + domain + ".", browseType + "." + domain + "."},
		instance: inst + "." + serviceType(s.Name) + "." + domain + ".",
		target:   inst + "." + domain + ".",
		ip:       ip,
		port:     uint16(port),
		txt:      txt,
	}, nil
}
