package enginetest

import (
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/microreg/microreg/engine"
)

// SoakDurationEnv names the environment variable that sets how long Soak
// churns (a Go duration, e.g. "60s"); unset, it runs SoakConfig.Duration.
const SoakDurationEnv = "MICROREG_SOAK"

// SoakConfig sets a soak run's load.
type SoakConfig struct {
	// Duration of the churn, unless SoakDurationEnv says otherwise.
	// Default 3s: a short run for every test run; the long one is
	// MICROREG_SOAK=60s go test -race -run Soak ./...
	Duration time.Duration
	// Rate is operations per second (registrations and
	// deregistrations). Default 200.
	Rate int
}

// Soak churns on one instance of the world at a fixed rate for a while,
// with a watch-all and a per-service watcher running on another, and then
// checks that nothing was lost or invented (every watcher's replayed view
// and GetService equal what was registered), that every goroutine started
// during the run (watch pumps, heartbeats, views, checks) has ended once
// the watchers stop and the instances close, and that the heap stayed flat (the end within twice the
// first quarter's, plus 4 MiB).
func Soak(t *testing.T, factory Factory, cfg SoakConfig) {
	if cfg.Duration == 0 {
		cfg.Duration = 3 * time.Second
	}
	if d, err := time.ParseDuration(os.Getenv(SoakDurationEnv)); err == nil && d > 0 {
		cfg.Duration = d
	}
	if cfg.Rate == 0 {
		cfg.Rate = 200
	}
	e := newEnv(t, factory)
	model := e.churnModel()
	first := e.name("churn-a")
	// Whatever runs now may run on; whatever starts from here must end
	// once the watchers stop and the instances close.
	baseline := append(slices.Clip(e.world.Goroutines), goleak.IgnoreCurrent())
	all, one := e.watch(e.b), e.watch(e.b, engine.WatchService(first))

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	tick := time.NewTicker(time.Second / time.Duration(cfg.Rate))
	defer tick.Stop()
	start := time.Now()
	var early, peak uint64
	ops := 0
	for time.Since(start) < cfg.Duration {
		<-tick.C
		e.churnStep(rng, model)
		ops++
		if ops%cfg.Rate == 0 { // about once a second
			h := heap()
			peak = max(peak, h)
			if time.Since(start) < cfg.Duration/4 || early == 0 {
				early = max(early, h)
			}
		}
	}
	t.Logf("soak: %d operations in %v", ops, time.Since(start).Round(time.Millisecond))
	e.converge(all, model)
	e.converge(one, map[string][]*engine.Service{first: model[first]})
	end := heap()
	t.Logf("soak: heap %d KiB in the first quarter, %d KiB peak, %d KiB at the end", early>>10, peak>>10, end>>10)
	if early > 0 && end > 2*early+4<<20 {
		t.Errorf("soak: the heap grew from %d KiB to %d KiB", early>>10, end>>10)
	}
	all.stop()
	one.stop()
	for _, r := range []engine.Registry{e.a, e.b} {
		if err := closeRegistry(r); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	e.eventually("every goroutine started during the soak has ended", func() error {
		return goleak.Find(baseline...)
	})
}

// heap is the live heap after a collection.
func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
