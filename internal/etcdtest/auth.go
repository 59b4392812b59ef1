package etcdtest

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// AddUser adds user with password and a role of its own that may read and
// write every key under prefix. Call it before EnableAuth.
func AddUser(tb TB, m *Member, user, password, prefix string) {
	tb.Helper()
	cli := Client(tb, m.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	role := user + "-role"
	steps := []func() error{
		func() error { _, err := cli.RoleAdd(ctx, role); return err },
		func() error {
			_, err := cli.RoleGrantPermission(ctx, role, prefix, clientv3.GetPrefixRangeEnd(prefix), clientv3.PermissionType(clientv3.PermReadWrite))
			return err
		},
		func() error { _, err := cli.UserAdd(ctx, user, password); return err },
		func() error { _, err := cli.UserGrantRole(ctx, user, role); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			tb.Fatalf("etcdtest: add user %s: %v", user, err)
		}
	}
}

// EnableAuth adds a root user (password "root-secret") and turns etcd's
// auth on.
func EnableAuth(tb TB, m *Member) {
	tb.Helper()
	cli := Client(tb, m.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	steps := []func() error{
		func() error { _, err := cli.UserAdd(ctx, "root", "root-secret"); return err },
		func() error { _, err := cli.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := cli.AuthEnable(ctx); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			tb.Fatalf("etcdtest: enable auth: %v", err)
		}
	}
}
