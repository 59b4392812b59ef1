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
