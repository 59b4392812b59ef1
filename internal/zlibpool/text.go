package zlibpool

import "bytes"

// Pack is how a backend carries data in short strings (Consul Meta values,
// mDNS TXT strings): p compressed, written as text by encode, and cut
// into chunks of at most size bytes, in order.
func Pack(p []byte, encode func([]byte) string, size int) ([]string, error) {
	var z bytes.Buffer
	if err := Compress(&z, p); err != nil {
		return nil, err
	}
	text := encode(z.Bytes())
	out := make([]string, 0, (len(text)+size-1)/size)
	for len(text) > 0 {
		n := min(len(text), size)
		out = append(out, text[:n])
		text = text[n:]
	}
	return out, nil
}

// Unpack reads what Pack wrote, its chunks joined: the text decoded by
// decode and inflated, ErrTooLarge past limit bytes.
func Unpack(text string, decode func(string) ([]byte, error), limit int) ([]byte, error) {
	raw, err := decode(text)
	if err != nil {
		return nil, err
	}
	return Inflate(raw, limit)
}
