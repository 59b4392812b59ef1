package consul

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/internal/zlibpool"
)

// extras are the Consul tags and Meta a user adds to a registration: the
// registry's (Tags, Meta) and a Register call's (WithTags, WithMeta).
type extras struct {
	tags []string
	meta map[string]string
}

func (e extras) equal(o extras) bool {
	return slices.Equal(e.tags, o.tags) && maps.Equal(e.meta, o.meta)
}

// merged is the registry's extras with a call's added: the call's Meta
// wins a key both set.
func (e extras) merged(call extras) extras {
	out := extras{tags: slices.Concat(e.tags, call.tags), meta: maps.Clone(e.meta)}
	if len(call.meta) > 0 && out.meta == nil {
		out.meta = map[string]string{}
	}
	maps.Copy(out.meta, call.meta)
	return out
}

type (
	ctxTagsKey struct{}
	ctxMetaKey struct{}
)

// WithTags returns a context that makes a Register through
// engine.RegisterContext add tags to the nodes it registers. They stay
// with those nodes through later Registers that name none (go-micro's
// server re-registers with no context).
func WithTags(ctx context.Context, tags ...string) context.Context {
	return context.WithValue(ctx, ctxTagsKey{}, slices.Clone(tags))
}

// WithMeta is WithTags for Consul Meta pairs.
func WithMeta(ctx context.Context, meta map[string]string) context.Context {
	return context.WithValue(ctx, ctxMetaKey{}, maps.Clone(meta))
}

// callExtras reads the extras a Register's context carries; given is false
// when it carries none.
func callExtras(ctx context.Context) (e extras, given bool) {
	if ctx == nil {
		return e, false
	}
	tags, t := ctx.Value(ctxTagsKey{}).([]string)
	meta, m := ctx.Value(ctxMetaKey{}).(map[string]string)
	return extras{tags: tags, meta: meta}, t || m
}

// check validates the extras of a registration of service: Meta keys and
// values Consul accepts and microreg does not use itself, and no tag that
// would break a reader.
func (e extras) check(service string, pluginTags bool) error {
	for k, v := range e.meta {
		if !plainKey(k) {
			return &engine.FieldError{Service: service, Field: "consul meta " + fmt.Sprintf("%q", k),
				Reason: "a Consul Meta key is 1 to 128 letters, digits, _ or -, not starting consul- or microreg"}
		}
		if len(v) > metaValueMax {
			return &engine.FieldError{Service: service, Field: "consul meta " + fmt.Sprintf("%q", k),
				Reason: fmt.Sprintf("value of %d bytes, Consul allows %d", len(v), metaValueMax)}
		}
	}
	for _, t := range e.tags {
		if t == "" {
			return &engine.FieldError{Service: service, Field: "consul tags", Reason: "an empty tag"}
		}
		if pluginTags && len(t) == 1 && (t[0] == 't' || t[0] == 'e' || t[0] == 'v') {
			// The plugin reads tag[1] of every tag starting so.
			return &engine.FieldError{Service: service, Field: "consul tags", Reason: fmt.Sprintf("the tag %q crashes go-micro's consul plugin when it reads the service", t)}
		}
	}
	return nil
}

// registrationTags are a node's tags: go-micro consul plugin's (first,
// since the plugin reads only the tags that share the first one's form),
// microreg's marker and version, then the user's.
func registrationTags(s *engine.Service, n *engine.Node, user []string, pluginTags bool) []string {
	var tags []string
	if pluginTags {
		tags = pluginTagsOf(s, n)
	}
	tags = append(tags, markerTag)
	if len(s.Version) <= 200 {
		tags = append(tags, versionTag+s.Version)
	}
	return append(tags, user...)
}

// pluginTagsOf encodes a node the way go-micro's consul plugin (v1.2.1)
// does, so that its readers get the version, the node's metadata and the
// endpoints: "t-" + hex(zlib(JSON{key: value})) for each metadata key,
// "e-" + hex(zlib(JSON(endpoint))) for each endpoint, "v-" +
// hex(zlib(version)).
func pluginTagsOf(s *engine.Service, n *engine.Node) []string {
	tags := make([]string, 0, len(n.Metadata)+len(s.Endpoints)+1)
	for _, k := range slices.Sorted(maps.Keys(n.Metadata)) {
		if b, err := json.Marshal(map[string]string{k: n.Metadata[k]}); err == nil {
			tags = append(tags, "t-"+hexZlib(b))
		}
	}
	for _, e := range s.Endpoints {
		if b, err := json.Marshal(e); err == nil {
			tags = append(tags, "e-"+hexZlib(b))
		}
	}
	return append(tags, "v-"+hexZlib([]byte(s.Version)))
}

func hexZlib(b []byte) string {
	var z bytes.Buffer
	if err := zlibpool.Compress(&z, b); err != nil {
		return ""
	}
	return hex.EncodeToString(z.Bytes())
}
