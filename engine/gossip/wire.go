package gossip

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/zlibpool"
)

// MaxMessageSize is the largest message, decoded, a node accepts; larger
// ones are rejected with ErrMessageTooLarge.
const MaxMessageSize = 8 << 20

// Errors of the wire decoder.
var (
	// ErrMessageTooLarge reports a message over MaxMessageSize. It wraps
	// engine.ErrTooLarge, as every "too large" of every backend does.
	ErrMessageTooLarge = fmt.Errorf("gossip: message %w", engine.ErrTooLarge)
	// ErrBadMessage reports a message that does not decode.
	ErrBadMessage = errors.New("gossip: malformed message")
)

// kind is what a message is: its first byte. Every message a node sends
// has one of these.
type kind byte

// The message kinds.
const (
	kindUpdates   kind = 1 // updates: a broadcast or a reliable send (encode)
	kindState     kind = 2 // a whole state, in push/pull (encode)
	kindHello     kind = 3 // [kindHello][name]: "send me your registrations" (loops.go)
	kindDeathHint kind = 4 // a member found dead, its name and epoch (deathhint.go)
	kindPing      kind = 5 // the check of a hint: answered by the transport, ignored by the registry
	kindBye       kind = 6 // [kindBye][epoch][name]: a member leaving (leave.go)
)

// String names the kind, for logs.
func (k kind) String() string {
	switch k {
	case kindUpdates:
		return "updates"
	case kindState:
		return "state"
	case kindHello:
		return "hello"
	case kindDeathHint:
		return "death hint"
	case kindPing:
		return "ping"
	case kindBye:
		return "bye"
	}
	return fmt.Sprintf("kind %d", byte(k))
}

// kindOf returns the kind of msg; an empty message has kind 0, which is
// none of them.
func kindOf(msg []byte) kind {
	if len(msg) == 0 {
		return 0
	}
	return kind(msg[0])
}

// Encodings, the second byte.
const (
	encJSON     byte = 0
	encZlibJSON byte = 1
)

// compressAbove is the encoded size past which a message is compressed.
const compressAbove = 512

// opRegister and opDeregister are what an update does.
const (
	opRegister   = "register"
	opDeregister = "deregister"
)

// update is one change made by one node (its origin): the nodes of one
// service version registered or deregistered. (Epoch, LTime) orders the
// updates of an origin: a restarted origin has a later epoch, and each
// update of an epoch a higher LTime.
type update struct {
	Origin  string          `json:"o"`
	Epoch   int64           `json:"e"`
	LTime   uint64          `json:"l"`
	Op      string          `json:"op"`
	TTL     int64           `json:"ttl,omitempty"` // nanoseconds; 0: none
	Service *engine.Service `json:"s"`
}

// newer reports whether u orders after (epoch, ltime).
func (u *update) newer(epoch int64, ltime uint64) bool {
	return u.Epoch > epoch || (u.Epoch == epoch && u.LTime > ltime)
}

// envelope is what goes on the wire: one or more updates.
type envelope struct {
	Updates []*update `json:"u"`
}

// encode frames updates as a message of kind.
func encode(k kind, updates []*update) ([]byte, error) {
	body, err := json.Marshal(envelope{Updates: updates})
	if err != nil {
		return nil, err
	}
	if len(body) > MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(body))
	}
	if len(body) <= compressAbove {
		return append([]byte{byte(k), encJSON}, body...), nil
	}
	var buf bytes.Buffer
	buf.Write([]byte{byte(k), encZlibJSON})
	if err := zlibpool.Compress(&buf, body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decode parses a message from the network. It never panics; anything
// malformed is ErrBadMessage, anything too large ErrMessageTooLarge, and
// every update it returns is well formed (an origin, a known op, a
// service that passes validation).
func decode(msg []byte) (k kind, updates []*update, err error) {
	if len(msg) < 2 {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrBadMessage, len(msg))
	}
	k = kindOf(msg)
	if k != kindUpdates && k != kindState {
		return 0, nil, fmt.Errorf("%w: %s", ErrBadMessage, k)
	}
	body := msg[2:]
	switch msg[1] {
	case encJSON:
		if len(body) > MaxMessageSize {
			return 0, nil, fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(body))
		}
	case encZlibJSON:
		var err error
		body, err = zlibpool.Inflate(body, MaxMessageSize)
		if errors.Is(err, zlibpool.ErrTooLarge) {
			return 0, nil, fmt.Errorf("%w: over %d bytes inflated", ErrMessageTooLarge, MaxMessageSize)
		}
		if err != nil {
			return 0, nil, fmt.Errorf("%w: %w", ErrBadMessage, err)
		}
	default:
		return 0, nil, fmt.Errorf("%w: encoding %d", ErrBadMessage, msg[1])
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return 0, nil, fmt.Errorf("%w: %w", ErrBadMessage, err)
	}
	for i, u := range env.Updates {
		if err := checkUpdate(u); err != nil {
			return 0, nil, fmt.Errorf("%w: update %d: %w", ErrBadMessage, i, err)
		}
	}
	return k, env.Updates, nil
}

func checkUpdate(u *update) error {
	switch {
	case u == nil:
		return errors.New("null")
	case u.Origin == "":
		return errors.New("no origin")
	case u.TTL < 0:
		return errors.New("negative ttl")
	case u.Op == opRegister:
		return engine.ValidateService(u.Service)
	case u.Op == opDeregister:
		return engine.ValidateDeregister(u.Service)
	default:
		return fmt.Errorf("op %q", u.Op)
	}
}
