package gossip

import (
	"bytes"
	"fmt"

	"github.com/microreg/microreg/engine"
)

// secretKeys returns the keys SecretKeys or SecretKey give (SecretKeys
// wins), each checked.
func secretKeys(o engine.Options) ([][]byte, error) {
	keys, _ := engine.ContextValue[[][]byte](o, keysKey{})
	if len(keys) == 0 {
		if key, ok := engine.ContextValue[[]byte](o, secretKey{}); ok {
			keys = [][]byte{key}
		}
	}
	for i, k := range keys {
		switch len(k) {
		case 16, 24, 32:
		default:
			return nil, fmt.Errorf("secret key %d is %d bytes, want 16, 24 or 32", i+1, len(k))
		}
	}
	return keys, nil
}

// rekey makes the running node's keyring what the options say: every key
// given installed, the first used to send, the rest removed. The cluster
// name cannot change.
func (g *Registry) rekey() error {
	o := g.Options()
	if name, ok := engine.ContextValue[string](o, clusterKey{}); ok && name != g.label {
		return fmt.Errorf("gossip: the cluster name cannot change on a running node (it is %q)", g.label)
	}
	keys, err := secretKeys(o)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	if g.keyring == nil {
		return fmt.Errorf("gossip: encryption cannot be turned on in a running node (start it with SecretKeys)")
	}
	for _, k := range keys {
		if err := g.keyring.AddKey(k); err != nil {
			return err
		}
	}
	if err := g.keyring.UseKey(keys[0]); err != nil {
		return err
	}
	for _, old := range g.keyring.GetKeys() {
		keep := false
		for _, k := range keys {
			keep = keep || bytes.Equal(k, old)
		}
		if !keep {
			if err := g.keyring.RemoveKey(old); err != nil {
				return err
			}
		}
	}
	return nil
}
