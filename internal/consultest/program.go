package consultest

import (
	"fmt"
	"os"
	"sync"
)

// TB is what the helpers need of their caller: testing.TB has it, and so
// does Program, for demos and walkthroughs that run agents outside tests.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
}

// Program is a TB for a program: Fatalf ends the function given to Run
// with an error, and Close runs the cleanups (killing the agents and
// removing their data directories), last registered first.
type Program struct {
	mu       sync.Mutex
	cleanups []func()
}

type programFatal struct{ msg string }

// Helper does nothing; it is there for TB.
func (*Program) Helper() {}

// Fatalf stops the function Run is running with the message as its error.
// Call it only from that function's goroutine.
func (*Program) Fatalf(format string, args ...any) {
	panic(programFatal{fmt.Sprintf(format, args...)})
}

// Cleanup registers f to run at Close.
func (p *Program) Cleanup(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cleanups = append(p.cleanups, f)
}

// TempDir returns a new directory that Close removes.
func (p *Program) TempDir() string {
	dir, err := os.MkdirTemp("", "consultest")
	if err != nil {
		p.Fatalf("consultest: %v", err)
	}
	p.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// Run calls f and returns the message of a Fatalf that stopped it.
func (p *Program) Run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			pf, ok := r.(programFatal)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%s", pf.msg)
		}
	}()
	f()
	return nil
}

// Close runs the cleanups, last registered first.
func (p *Program) Close() {
	p.mu.Lock()
	fns := p.cleanups
	p.cleanups = nil
	p.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}
