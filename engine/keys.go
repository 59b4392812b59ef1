package engine

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// EnvKey is the environment variable the gossip and mdns backends read
// their keys from when no key option is given: one key or several,
// base64 (standard encoding, as `microreg keygen` and `consul keygen` print
// them), comma-separated; the first encrypts or signs, every one is
// accepted (a rotation). It is how a program that go-micro starts with
// --registry=gossip or MICRO_REGISTRY=gossip gets a key.
const EnvKey = "MICRO_REGISTRY_KEY"

// ErrBadKey reports a key that is not base64 or not 16, 24 or 32 bytes.
// Its message never holds the key.
var ErrBadKey = errors.New("bad key")

// KeySize is the size of the keys NewKey makes: AES-256's.
const KeySize = 32

// NewKey returns a new random key of KeySize bytes in the form the key
// options' parsers and EnvKey take: base64, standard encoding.
func NewKey() (string, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// ParseKeys reads keys written as EnvKey holds them: base64,
// comma-separated, each 16, 24 or 32 bytes decoded. An error says which
// key is wrong and how, never what it holds.
func ParseKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(k)
		if err != nil {
			return nil, fmt.Errorf("%w: key %d is not base64 (microreg keygen prints one)", ErrBadKey, i+1)
		}
		switch len(b) {
		case 16, 24, 32:
		default:
			return nil, fmt.Errorf("%w: key %d is %d bytes, want 16, 24 or 32", ErrBadKey, i+1, len(b))
		}
		keys = append(keys, b)
	}
	return keys, nil
}

// KeysFromEnv returns the keys EnvKey holds; none when it is unset or
// blank.
func KeysFromEnv() ([][]byte, error) {
	keys, err := ParseKeys(os.Getenv(EnvKey))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvKey, err)
	}
	return keys, nil
}

// KeyID names a key without giving it away: the first 4 bytes of its
// SHA-256, in hex. Logs, errors and doctor name keys by it.
func KeyID(key []byte) string {
	h := sha256.Sum256(key)
	return hex.EncodeToString(h[:4])
}
