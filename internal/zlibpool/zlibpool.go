// Package zlibpool compresses and inflates with pooled zlib state. A
// zlib.Writer holds several hundred KB of state and a reader tens of KB;
// the backends compress on every Register (consul metadata, mdns TXT,
// gossip messages) and inflate on every read of a registration, and
// allocating that state each time was most of what those calls cost.
package zlibpool

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"sync"
)

var writers = sync.Pool{New: func() any { return zlib.NewWriter(io.Discard) }}

// readers holds zlib readers (io.ReadCloser that are also zlib.Resetter);
// zlib.NewReader needs a valid stream, so the pool starts empty.
var readers sync.Pool

// ErrTooLarge is returned by Inflate when the inflated data would pass
// its limit.
var ErrTooLarge = errors.New("zlibpool: inflated data passes the limit")

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

// Inflate returns the data the zlib stream p holds, or ErrTooLarge if it
// holds more than limit bytes (a compressed message can claim any size,
// so every reader of untrusted input gives one).
func Inflate(p []byte, limit int) ([]byte, error) {
	src := bytes.NewReader(p)
	var zr io.ReadCloser
	if pooled, ok := readers.Get().(io.ReadCloser); ok {
		if err := pooled.(zlib.Resetter).Reset(src, nil); err != nil {
			readers.Put(pooled)
			return nil, err
		}
		zr = pooled
	} else {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return nil, err
		}
	}
	defer readers.Put(zr)
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, ErrTooLarge
	}
	return out, nil
}
