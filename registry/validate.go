package registry

import (
	"fmt"
	"net"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Limits every backend enforces on what it accepts.
const (
	// MaxNameLength is the longest service name, in bytes.
	MaxNameLength = 255
	// MaxIDLength is the longest node id, in bytes.
	MaxIDLength = 255
)

// ValidateService checks a service passed to Register: a name, at least one
// node, every node with an id, a host:port address and an id no other node
// of the call has. The error is a *FieldError (errors.Is ErrInvalidService).
func ValidateService(s *Service) error {
	if err := validateName(s); err != nil {
		return err
	}
	return validateNodes(s, true)
}

// ValidateDeregister checks a service passed to Deregister: a name and
// nodes with ids (addresses are not needed to remove a node).
func ValidateDeregister(s *Service) error {
	if err := validateName(s); err != nil {
		return err
	}
	return validateNodes(s, false)
}

func validateName(s *Service) error {
	if s == nil {
		return &FieldError{Field: "service", Reason: "is nil"}
	}
	if err := checkText(s.Name, MaxNameLength); err != "" {
		return &FieldError{Service: s.Name, Field: "name", Reason: err}
	}
	return nil
}

func validateNodes(s *Service, needAddress bool) error {
	if len(s.Nodes) == 0 {
		return &FieldError{Service: s.Name, Field: "nodes", Reason: "at least one node is required"}
	}
	for i, n := range s.Nodes {
		field := "nodes[" + strconv.Itoa(i) + "]"
		if n == nil {
			return &FieldError{Service: s.Name, Field: field, Reason: "is nil"}
		}
		if err := checkText(n.Id, MaxIDLength); err != "" {
			return &FieldError{Service: s.Name, Field: field + ".id", Reason: err}
		}
		if j := indexOfID(s.Nodes[:i], n.Id); j >= 0 {
			return &FieldError{Service: s.Name, Field: field + ".id",
				Reason: fmt.Sprintf("%q repeats nodes[%d].id", n.Id, j)}
		}
		if needAddress {
			if err := checkAddress(n.Address); err != "" {
				return &FieldError{Service: s.Name, Field: field + ".address", Reason: err}
			}
		}
	}
	return nil
}

// indexOfID finds id among nodes, which validation has already checked
// are not nil. Services have few nodes per call, so a scan beats a map.
func indexOfID(nodes []*Node, id string) int {
	for j, m := range nodes {
		if m.Id == id {
			return j
		}
	}
	return -1
}

func checkText(s string, max int) string {
	switch {
	case s == "":
		return "is empty"
	case len(s) > max:
		return fmt.Sprintf("is %d bytes, longer than %d", len(s), max)
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Sprintf("contains the character %q", r)
		}
	}
	return ""
}

func checkAddress(addr string) string {
	if addr == "" {
		return "is empty"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("%q is not host:port", addr)
	}
	if host == "" {
		return fmt.Sprintf("%q has no host", addr)
	}
	if reason := checkText(host, 255); reason != "" {
		return "host " + reason
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Sprintf("%q has port %q, not 1-65535", addr, port)
	}
	return ""
}
