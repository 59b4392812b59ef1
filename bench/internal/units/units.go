// Package units holds what the bench module's commands share for
// reading and printing results: means and compact numbers.
package units

import "strconv"

// Mean is the arithmetic mean of v (NaN for none).
func Mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// Num prints v compactly: whole numbers from 100 up, three significant
// digits below.
func Num(v float64) string {
	if v >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
