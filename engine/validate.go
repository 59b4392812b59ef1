package engine

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
	// MaxServiceSize is the most text one Register may carry, in bytes:
	// every name, version, id, address, metadata key and value and
	// endpoint field of the service and its nodes, added up. A larger
	// service is refused with ErrTooLarge by every backend; most backends
	// refuse smaller ones that do not fit their wire (a Consul instance's
	// Meta, an mDNS TXT record), with ErrTooLarge too.
	MaxServiceSize = 1 << 20
)

// ValidateService checks a service passed to Register: a name, at least one
// node, every node with an id, a host:port address and an id no other node
// of the call has. The error is a *FieldError (errors.Is ErrInvalidService).
func ValidateService(s *Service) error {
	if err := validateName(s); err != nil {
		return err
	}
	if err := validateNodes(s, true); err != nil {
		return err
	}
	if n := Size(s); n > MaxServiceSize {
		return fmt.Errorf("service %s: %w: %d bytes, at most %d (MaxServiceSize)", quote(s.Name), ErrTooLarge, n, MaxServiceSize)
	}
	return nil
}

// Size is the text s carries, in bytes, as MaxServiceSize counts it.
func Size(s *Service) int {
	n := len(s.Name) + len(s.Version) + mapSize(s.Metadata)
	for _, node := range s.Nodes {
		if node != nil {
			n += len(node.Id) + len(node.Address) + mapSize(node.Metadata)
		}
	}
	for _, e := range s.Endpoints {
		if e != nil {
			n += len(e.Name) + mapSize(e.Metadata) + valueSize(e.Request) + valueSize(e.Response)
		}
	}
	return n
}

func mapSize(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	return n
}

func valueSize(v *Value) int {
	if v == nil {
		return 0
	}
	n := len(v.Name) + len(v.Type)
	for _, c := range v.Values {
		n += valueSize(c)
	}
	return n
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
