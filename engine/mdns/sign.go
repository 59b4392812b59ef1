package mdns

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/microreg/microreg/engine"
)

// Signed records (Keys): with a key, a node's TXT gets one more string,
// "sig=<key id>.<mac>", where mac is HMAC-SHA256 under the signing key of
// every other string of the TXT (the readable ones and the whole
// registration), prefixed with what the record is for: "live" for an
// announcement or answer, "bye" for a goodbye (TTL 0). A registry with
// keys reads only TXT signed with one of them, for the purpose its TTL
// says, so nobody without a key can announce a node, and nobody can turn
// a captured announcement into a goodbye. Each registration carries the
// time it was made (its "t", on the registrant's clock, inside what is
// signed): a record older than the newest heard for that node, or the
// node's record after its goodbye, is a replay and is dropped too.
const (
	sigKey      = "sig"
	purposeLive = "live"
	purposeBye  = "bye"
)

// Why a record was dropped (doctor shows the counts).
const (
	dropUnsigned   = "unsigned"
	dropUnknownKey = "signed with another key"
	dropBadMAC     = "bad signature"
	dropReplay     = "replayed"
)

// keyring holds a signed registry's keys: the first signs, every one is
// accepted, so keys rotate as gossip's do.
type keyring struct {
	keys [][]byte
	ids  []string
}

func newKeyring(keys [][]byte) *keyring {
	if len(keys) == 0 {
		return nil
	}
	k := &keyring{}
	for _, key := range keys {
		k.keys = append(k.keys, append([]byte(nil), key...))
		k.ids = append(k.ids, engine.KeyID(key))
	}
	return k
}

// mac is the MAC of txt (without any sig string) for purpose under key.
func mac(key []byte, purpose string, txt []string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(purpose))
	for _, t := range txt {
		if strings.HasPrefix(t, sigKey+"=") {
			continue
		}
		h.Write([]byte{0})
		h.Write([]byte(t))
	}
	return h.Sum(nil)
}

// sign returns txt with the signing key's sig string for purpose added.
func (k *keyring) sign(purpose string, txt []string) []string {
	m := mac(k.keys[0], purpose, txt)
	out := append(append([]string(nil), txt...), sigKey+"="+k.ids[0]+"."+base64.RawURLEncoding.EncodeToString(m))
	return out
}

// verify reports why txt is not signed for purpose by one of the keys, or
// "" when it is.
func (k *keyring) verify(purpose string, txt []string) string {
	var sig string
	for _, t := range txt {
		if v, ok := strings.CutPrefix(t, sigKey+"="); ok {
			sig = v
		}
	}
	if sig == "" {
		return dropUnsigned
	}
	id, enc, _ := strings.Cut(sig, ".")
	for i, kid := range k.ids {
		if kid != id {
			continue
		}
		got, err := base64.RawURLEncoding.DecodeString(enc)
		if err != nil || !hmac.Equal(got, mac(k.keys[i], purpose, txt)) {
			return dropBadMAC
		}
		return ""
	}
	return dropUnknownKey
}

// freshness is the newest registration heard of one node on a signed
// registry: its time, and whether its goodbye was heard.
type freshness struct {
	at  int64
	bye bool
}

// fresh reports whether a record of a registration made at at, a goodbye
// or not, is newer than what was heard of the node before, and notes it.
func (f *freshness) fresh(at int64, bye bool) bool {
	switch {
	case at > f.at:
	case at == f.at && (!f.bye || bye): // a re-announcement, or the goodbye heard twice
	default:
		return false
	}
	f.at, f.bye = at, bye
	return true
}
