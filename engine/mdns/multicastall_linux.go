package mdns

import (
	"net"

	"golang.org/x/sys/unix"
)

// onlyJoinedGroups makes c receive group traffic only from the interface
// it joined the group on. Linux otherwise hands a socket bound to the
// wildcard address every datagram for the group that arrives on any
// interface some other socket of the host joined it on
// (IP_MULTICAST_ALL, on by default), so a registry told to use one
// interface would hear nodes of another.
func onlyJoinedGroups(c *net.UDPConn, network string) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		if network == "udp6" {
			serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0)
			return
		}
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
	})
	if err != nil {
		return err
	}
	return serr
}
