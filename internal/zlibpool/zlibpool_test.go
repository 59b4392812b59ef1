package zlibpool

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"sync"
	"testing"
)

func TestCompressRoundTripsAndAppends(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				want := strings.Repeat("payload ", g*10+i+1)
				var buf bytes.Buffer
				buf.WriteString("hd")
				if err := Compress(&buf, []byte(want)); err != nil {
					t.Error(err)
					return
				}
				if !bytes.HasPrefix(buf.Bytes(), []byte("hd")) {
					t.Error("the header before the compressed data was lost")
					return
				}
				zr, err := zlib.NewReader(bytes.NewReader(buf.Bytes()[2:]))
				if err != nil {
					t.Error(err)
					return
				}
				got, err := io.ReadAll(zr)
				if err != nil || string(got) != want {
					t.Errorf("round trip: got %d bytes, %v; want %d", len(got), err, len(want))
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestInflateRoundTripsAndKeepsItsLimit(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				want := strings.Repeat("payload ", g*10+i+1)
				var buf bytes.Buffer
				if err := Compress(&buf, []byte(want)); err != nil {
					t.Error(err)
					return
				}
				got, err := Inflate(buf.Bytes(), len(want))
				if err != nil || string(got) != want {
					t.Errorf("at its exact limit: got %q, %v; want %q", got, err, want)
					return
				}
				if _, err := Inflate(buf.Bytes(), len(want)-1); err != ErrTooLarge {
					t.Errorf("one byte under: %v, want ErrTooLarge", err)
					return
				}
				if _, err := Inflate(buf.Bytes()[:len(buf.Bytes())/2], len(want)); err == nil {
					t.Error("a truncated stream inflated without an error")
					return
				}
				if _, err := Inflate([]byte("not zlib at all"), len(want)); err == nil {
					t.Error("garbage inflated without an error")
					return
				}
			}
		}()
	}
	wg.Wait()
}
