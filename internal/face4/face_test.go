package face4_test

import (
	"context"
	"testing"
	"time"

	"go-micro.dev/v4/logger"
	mregistry "go-micro.dev/v4/registry"

	"github.com/microreg/microreg/engine"
	ememory "github.com/microreg/microreg/engine/memory"
	"github.com/microreg/microreg/internal/face4"
)

// What the face adds to the engine, on the memory engine: go-micro's own
// sentinels, compared with == as older go-micro code does, and options
// that survive the crossing both ways.

type ctxKey struct{}

type recordingLogger struct {
	logger.Logger
	lines *[]string
}

func (l recordingLogger) Logf(_ logger.Level, format string, _ ...any) {
	*l.lines = append(*l.lines, format)
}

func open(t *testing.T, opts ...mregistry.Option) face4.Registry {
	t.Helper()
	e, err := ememory.New(face4.NewOptions(opts)...)
	if err != nil {
		t.Fatal(err)
	}
	r := face4.New(e)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func TestSentinelsAreGoMicros(t *testing.T) {
	r := open(t)
	if _, err := r.GetService("nobody"); err != mregistry.ErrNotFound { //nolint:errorlint // go-micro compares with ==
		t.Fatalf("GetService of an unknown service: %v, want go-micro's ErrNotFound itself", err)
	}
	w, err := r.Watch()
	if err != nil {
		t.Fatal(err)
	}
	w.Stop()
	if _, err := w.Next(); err != mregistry.ErrWatcherStopped { //nolint:errorlint
		t.Fatalf("Next after Stop: %v, want go-micro's ErrWatcherStopped itself", err)
	}
	if _, err := face4.Engine(r).GetService("nobody"); err != engine.ErrNotFound { //nolint:errorlint
		t.Fatalf("through the reverse face: %v, want the engine's ErrNotFound", err)
	}
}

func TestOptionsCrossBothWays(t *testing.T) {
	var lines []string
	l := recordingLogger{lines: &lines}
	ctx := context.WithValue(context.Background(), ctxKey{}, "kept")
	r := open(t, mregistry.Logger(l), mregistry.Addrs("a:1"), func(o *mregistry.Options) { o.Context = ctx })
	o := r.Options()
	if rl, ok := o.Logger.(recordingLogger); !ok || rl.lines != &lines {
		t.Fatalf("Options().Logger = %#v, want the logger given", o.Logger)
	}
	if o.Context.Value(ctxKey{}) != "kept" || len(o.Addrs) != 1 || o.Addrs[0] != "a:1" {
		t.Fatalf("Options() lost what was given: %+v", o)
	}
	// Init with an option that does not touch the logger keeps it; the
	// engine logs through it.
	if err := r.Init(mregistry.Timeout(3 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if o := r.Options(); o.Timeout != 3*time.Second {
		t.Fatalf("after Init: %+v", o)
	} else if rl, ok := o.Logger.(recordingLogger); !ok || rl.lines != &lines {
		t.Fatalf("after Init: %+v", o)
	}
	ememory.Open(face4.NewOptions([]mregistry.Option{mregistry.Logger(l), face4.Option(ememory.Services(map[string][]*engine.Service{
		"": {{Name: ""}},
	}))})...).Close()
	if len(lines) == 0 {
		t.Fatal("the engine logged nothing through the go-micro logger it was given")
	}
	// A backend option crosses into go-micro's Options and back.
	var got int
	key := struct{ name string }{"n"}
	opt := face4.Option(engine.ContextOption(key, 7))
	eo := engine.NewOptions(face4.Options([]mregistry.Option{opt})...)
	got, _ = engine.ContextValue[int](*eo, key)
	if got != 7 {
		t.Fatalf("a backend option did not cross: %d", got)
	}
}
