package gossip

import (
	"bytes"
	"compress/zlib"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/engine"
)

func sampleUpdate(endpoints int) *update {
	s := &engine.Service{Name: "greeter", Version: "1", Metadata: map[string]string{"k": "v"},
		Nodes: []*engine.Node{{Id: "n1", Address: "127.0.0.1:1", Metadata: map[string]string{"a": "b"}}}}
	for i := 0; i < endpoints; i++ {
		s.Endpoints = append(s.Endpoints, &engine.Endpoint{Name: strings.Repeat("E", 40), Request: &engine.Value{Name: "r", Type: "T"}})
	}
	return &update{Origin: "node-a", Epoch: 1, LTime: 7, Op: opRegister, TTL: 90e9, Service: s}
}

func TestWireRoundTrip(t *testing.T) {
	for _, n := range []int{0, 200} {
		msg, err := encode(kindUpdates, []*update{sampleUpdate(n)})
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 && msg[1] != encZlibJSON {
			t.Fatalf("a %d-byte message was not compressed", len(msg))
		}
		kind, got, err := decode(msg)
		if err != nil || kind != kindUpdates || len(got) != 1 || len(got[0].Service.Endpoints) != n || got[0].LTime != 7 {
			t.Fatalf("decode: kind %d, %+v, %v", kind, got, err)
		}
	}
}

func TestWireRejects(t *testing.T) {
	bomb := append([]byte{byte(kindUpdates), encJSON}, bytes.Repeat([]byte(" "), MaxMessageSize+1)...)
	for name, tc := range map[string]struct {
		msg  []byte
		want error
	}{
		"empty":        {nil, ErrBadMessage},
		"kind":         {[]byte{9, 0, '{', '}'}, ErrBadMessage},
		"encoding":     {[]byte{byte(kindUpdates), 9, '{', '}'}, ErrBadMessage},
		"json":         {[]byte{byte(kindUpdates), encJSON, '{'}, ErrBadMessage},
		"zlib":         {[]byte{byte(kindUpdates), encZlibJSON, 1, 2, 3}, ErrBadMessage},
		"no origin":    {append([]byte{byte(kindUpdates), encJSON}, `{"u":[{"op":"register"}]}`...), ErrBadMessage},
		"bad service":  {append([]byte{byte(kindUpdates), encJSON}, `{"u":[{"o":"a","op":"register","s":{"name":""}}]}`...), ErrBadMessage},
		"null update":  {append([]byte{byte(kindUpdates), encJSON}, `{"u":[null]}`...), ErrBadMessage},
		"too large":    {bomb, ErrMessageTooLarge},
		"zip bomb":     {zipBomb(t), ErrMessageTooLarge},
		"negative ttl": {append([]byte{byte(kindUpdates), encJSON}, `{"u":[{"o":"a","op":"deregister","ttl":-1,"s":{"name":"x","nodes":[{"id":"1"}]}}]}`...), ErrBadMessage},
	} {
		if _, _, err := decode(tc.msg); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", name, err, tc.want)
		}
	}
}

func zipBomb(t *testing.T) []byte {
	t.Helper()
	body := []byte(`{"u":[{"o":"a","op":"register","s":{"name":"x","metadata":{"p":"` + strings.Repeat("x", MaxMessageSize) + `"}}}]}`)
	var buf bytes.Buffer
	buf.Write([]byte{byte(kindUpdates), encZlibJSON})
	zw := zlib.NewWriter(&buf)
	zw.Write(body)
	zw.Close()
	return buf.Bytes()
}

// FuzzDecode feeds the wire decoder arbitrary bytes: it must never panic,
// and what it accepts must re-encode and decode to the same updates.
func FuzzDecode(f *testing.F) {
	for _, n := range []int{0, 3, 50} {
		msg, err := encode(kindUpdates, []*update{sampleUpdate(n)})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg)
	}
	f.Add([]byte{byte(kindState), encJSON, '{', '}'})
	f.Add([]byte{byte(kindUpdates), encZlibJSON, 0x78, 0x9c})
	f.Add(encodeDeathHint(memberlist.Node{Name: "n1", Addr: net.IPv4(127, 0, 0, 1).To4(), Port: 7946}, 42))
	f.Fuzz(func(t *testing.T, msg []byte) {
		// The death hint's decoder sees the same hostile input.
		if n, epoch, ok := decodeDeathHint(msg); ok {
			if again := encodeDeathHint(n, epoch); !bytes.Equal(again, msg) {
				t.Fatalf("death hint %x re-encodes as %x", msg, again)
			}
		}
		kind, updates, err := decode(msg)
		if err != nil {
			return
		}
		again, err := encode(kind, updates)
		if err != nil {
			t.Fatalf("accepted updates do not re-encode: %v", err)
		}
		if _, back, err := decode(again); err != nil || len(back) != len(updates) {
			t.Fatalf("re-encoded message: %d updates, %v", len(back), err)
		}
	})
}

func TestDeathHintRoundTripsAndRejectsJunk(t *testing.T) {
	for _, addr := range []net.IP{net.IPv4(127, 0, 0, 9).To4(), net.ParseIP("::1")} {
		in := memberlist.Node{Name: "member-7", Addr: addr, Port: 7946}
		n, epoch, ok := decodeDeathHint(encodeDeathHint(in, 99))
		if !ok || n.Name != in.Name || !n.Addr.Equal(addr) || n.Port != 7946 || epoch != 99 {
			t.Fatalf("round trip of %v: %v %d %v", in, n, epoch, ok)
		}
	}
	good := encodeDeathHint(memberlist.Node{Name: "m", Addr: net.IPv4(127, 0, 0, 1).To4(), Port: 1}, 1)
	for name, msg := range map[string][]byte{
		"empty":          nil,
		"other kind":     append([]byte{byte(kindUpdates)}, good[1:]...),
		"no name":        good[:len(good)-1],
		"bad ip length":  append(append(append([]byte(nil), good[:11]...), 5), good[12:]...),
		"truncated head": good[:8],
	} {
		if _, _, ok := decodeDeathHint(msg); ok {
			t.Errorf("%s: accepted %x", name, msg)
		}
	}
}
