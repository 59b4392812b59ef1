//go:build !linux

package mdns

import "net"

// onlyJoinedGroups is a no-op where sockets receive only the groups they
// joined already.
func onlyJoinedGroups(*net.UDPConn, string) error { return nil }
