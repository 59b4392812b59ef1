// Package zlibpool compresses with pooled zlib writers. A zlib.Writer
// holds several hundred KB of state; the backends compress on every
// Register (consul metadata, mdns TXT, gossip messages), and allocating
// that state each time was most of what a Register cost.
package zlibpool

import (
	"bytes"
	"compress/zlib"
	"io"
	"sync"
)

var writers = sync.Pool{New: func() any { return zlib.NewWriter(io.Discard) }}

// Compress appends zlib(p) to dst.
func Compress(dst *bytes.Buffer, p []byte) error {
	zw := writers.Get().(*zlib.Writer)
	defer writers.Put(zw)
	zw.Reset(dst)
	if _, err := zw.Write(p); err != nil {
		return err
	}
	return zw.Close()
}
