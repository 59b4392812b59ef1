package mdns

import (
	"github.com/microreg/microreg/internal/testhook"
	"github.com/microreg/microreg/registry"
)

// Crash stops r the way a killed process stops: sockets closed, no
// goodbye sent.
func Crash(r registry.Registry) { testhook.MDNSCrash(r.(*Registry).e) }
