package registry

import "github.com/microreg/microreg/engine"

// EnvKey is the environment variable the gossip and mdns backends read
// their keys from when no key option is given: one base64 key or several,
// comma-separated (the first encrypts or signs, every one is accepted),
// as `microreg keygen` prints them. It is how a program go-micro starts
// with --registry=gossip gets a key.
const EnvKey = engine.EnvKey

// ErrBadKey reports a key that is not base64 or not 16, 24 or 32 bytes;
// its message never holds the key.
var ErrBadKey = engine.ErrBadKey

// NewKey returns a new random 32-byte key, base64: what `microreg keygen`
// prints, and what EnvKey and ParseKeys take.
func NewKey() (string, error) { return engine.NewKey() }

// ParseKeys reads base64 keys, comma-separated, for the key options
// (gossip.SecretKeys, mdns.Keys). An error names the key by its place,
// never by what it holds.
func ParseKeys(s string) ([][]byte, error) { return engine.ParseKeys(s) }

// KeyID names a key without giving it away (the first 4 bytes of its
// SHA-256, hex), as logs and doctor do.
func KeyID(key []byte) string { return engine.KeyID(key) }
