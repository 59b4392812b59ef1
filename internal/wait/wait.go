// Package wait is the one polling helper of the tests: wait for a
// condition, never for a fixed time.
package wait

import (
	"errors"
	"testing"
	"time"
)

// MaxInterval is the longest Until waits between two checks: it checks
// after 1 ms, then twice as long each time, up to this.
const MaxInterval = 20 * time.Millisecond

var errNotYet = errors.New("the condition does not hold")

// Until checks cond, more and more slowly (see MaxInterval), until it holds (true, or a nil error)
// and returns how long that took. Past d it fails the test, naming what
// and the condition's last error.
func Until[C func() bool | func() error](tb testing.TB, d time.Duration, what string, cond C) time.Duration {
	tb.Helper()
	check := func() error {
		switch c := any(cond).(type) {
		case func() bool:
			if c() {
				return nil
			}
			return errNotYet
		case func() error:
			return c()
		}
		return nil
	}
	start := time.Now()
	delay := time.Millisecond
	for {
		err := check()
		if err == nil {
			return time.Since(start)
		}
		if time.Since(start) > d {
			tb.Fatalf("%s: not within %v: %v", what, d, err)
		}
		time.Sleep(delay) // the polling interval of a wait for a condition
		delay = min(2*delay, MaxInterval)
	}
}
