package zlibpool

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
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

func TestPackUnpack(t *testing.T) {
	body := bytes.Repeat([]byte("registry "), 500)
	chunks, err := Pack(body, hex.EncodeToString, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range chunks {
		if len(c) > 100 || (i < len(chunks)-1 && len(c) != 100) {
			t.Fatalf("chunk %d is %d bytes", i, len(c))
		}
	}
	got, err := Unpack(strings.Join(chunks, ""), hex.DecodeString, len(body))
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("Unpack: %d bytes, %v; want the %d packed", len(got), err, len(body))
	}
	if _, err := Unpack(strings.Join(chunks, ""), hex.DecodeString, len(body)-1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Unpack past its limit: %v, want ErrTooLarge", err)
	}
	if _, err := Unpack("not hex", hex.DecodeString, len(body)); err == nil {
		t.Fatal("Unpack of text that does not decode: no error")
	}
}
