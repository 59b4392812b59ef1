package registry

import "io"

// Close stops a backend's goroutines if it has a Close method (every
// microreg backend does); go-micro's Registry interface has none.
func Close(r Registry) error {
	if c, ok := r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
