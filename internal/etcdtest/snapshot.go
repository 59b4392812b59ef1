package etcdtest

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/microreg/microreg/internal/toolbin"
)

// Snapshot saves the member's data, as `etcdctl snapshot save` does, to a
// file in a temporary directory and returns its path.
func (m *Member) Snapshot(tb TB) string {
	tb.Helper()
	cli := Client(tb, m.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rc, err := cli.Snapshot(ctx)
	if err != nil {
		tb.Fatalf("etcdtest: snapshot: %v", err)
	}
	defer rc.Close()
	path := filepath.Join(tb.TempDir(), "snapshot.db")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatalf("etcdtest: %v", err)
	}
	defer f.Close()
	if _, err := io.Copy(f, rc); err != nil {
		tb.Fatalf("etcdtest: snapshot: %v", err)
	}
	return path
}

// RestoreFrom stops a one-member cluster's member and starts it again from
// snapshot, as an operator recovers with `etcdutl snapshot restore`:
// everything written after the snapshot is gone, leases included.
func (m *Member) RestoreFrom(tb TB, snapshot string) {
	tb.Helper()
	etcdutl, err := toolbin.Path("etcd", "etcdutl", Version, "go.etcd.io/etcd/etcdutl/v3")
	if err != nil {
		tb.Fatalf("etcdtest: no etcdutl binary: %v", err)
	}
	m.Kill()
	dir := filepath.Join(tb.TempDir(), "restored")
	cmd := exec.Command(etcdutl, "snapshot", "restore", snapshot, "--data-dir", dir, "--name", m.Name,
		"--initial-cluster", m.Name+"="+m.PeerURL, "--initial-advertise-peer-urls", m.PeerURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("etcdtest: etcdutl snapshot restore: %v\n%s", err, out)
	}
	m.dataDir = dir
	for i, a := range m.args {
		if a == "--data-dir" {
			m.args[i+1] = dir
		}
	}
	m.Start(tb)
	m.WaitHealthy(tb, 30*time.Second)
}
