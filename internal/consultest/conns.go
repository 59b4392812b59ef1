package consultest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Conns counts the established TCP connections to addr (host:port) held,
// client side, in this network namespace (/proc/net/tcp, by remote port):
// how many connections processes here hold to an agent.
func Conns(tb TB, addr string) int {
	tb.Helper()
	_, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatalf("consultest: %v", err)
	}
	port, _ := strconv.Atoi(portStr)
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		tb.Fatalf("consultest: %v", err)
	}
	defer f.Close()
	want := fmt.Sprintf(":%04X", port)
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 3 && strings.HasSuffix(fields[2], want) && fields[3] == "01" { // 01: established
			n++
		}
	}
	return n
}
