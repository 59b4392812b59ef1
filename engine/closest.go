package engine

import (
	"slices"
	"strings"
)

// closest returns the names among known that are likely what name meant:
// the same but for case, or within an edit distance of 2 (a third of the
// name for short ones), nearest first. name itself is never returned.
func closest(name string, known []string) []string {
	type near struct {
		name string
		dist int
	}
	limit := min(2, max(1, len(name)/3))
	var found []near
	for _, k := range known {
		if k == name {
			continue
		}
		if strings.EqualFold(k, name) {
			found = append(found, near{k, 0})
			continue
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d <= limit {
			found = append(found, near{k, d})
		}
	}
	slices.SortStableFunc(found, func(a, b near) int { return a.dist - b.dist })
	out := make([]string, len(found))
	for i, f := range found {
		out[i] = f.name
	}
	return out
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
