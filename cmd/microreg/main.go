package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"go-micro.dev/v4/logger"

	"github.com/microreg/microreg/engine"
	"github.com/microreg/microreg/gossip"
	"github.com/microreg/microreg/internal/face4"
	"github.com/microreg/microreg/registry"

	_ "github.com/microreg/microreg/consul"
	_ "github.com/microreg/microreg/etcd"
	_ "github.com/microreg/microreg/mdns"
	_ "github.com/microreg/microreg/memory"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// cli is one invocation.
type cli struct {
	out     io.Writer
	json    bool
	timeout time.Duration
	r       registry.Registry
}

const usage = `usage: microreg [--registry NAME] [--registry_address ADDR] [--json] [--timeout D] [-v] COMMAND
commands:
  services             list the services
  get NAME             show one service
  watch [NAME]         print events until interrupted
  register FILE.json   register a service until interrupted, then deregister it
  deregister FILE.json deregister a service
  doctor [SERVICE]     check the backend (and why SERVICE is or is not found); exit 1 if a check fails
  keygen               print a new key for gossip and mdns (` + registry.EnvKey + `, gossip.SecretKey, mdns.Keys)`

// run executes one command and returns the exit status: 0, 1 for an
// error, 2 for a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("microreg", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, usage) }
	name, addrs := registry.Selected(nil, registry.DefaultBackend)
	backend := fs.String(registry.FlagRegistry, name, "backend: "+strings.Join(registry.Backends(), ", "))
	address := fs.String(registry.FlagRegistryAddress, strings.Join(addrs, ","), "the backend's addresses, comma-separated")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	timeout := fs.Duration("timeout", 10*time.Second, "how long a call may take")
	verbose := fs.Bool("v", false, "print the backend's log (to stderr)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return 2
	}
	cmd, rest := rest[0], rest[1:]
	fail := func(err error) int {
		fmt.Fprintln(stderr, "microreg:", err)
		return 1
	}
	arity := map[string][2]int{"services": {0, 0}, "get": {1, 1}, "watch": {0, 1}, "register": {1, 1}, "deregister": {1, 1}, "doctor": {0, 1}, "keygen": {0, 0}}
	n, known := arity[cmd]
	if !known || len(rest) < n[0] || len(rest) > n[1] {
		fs.Usage()
		return 2
	}
	if cmd == "keygen" {
		key, err := registry.NewKey()
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, key)
		return 0
	}
	level := logger.FatalLevel
	if *verbose {
		level = logger.DebugLevel
	}
	logOpt := registry.Logger(stderrLogger{stderr, level})
	if cmd == "doctor" {
		return doctor(*backend, registry.SplitAddrs(*address), rest, *asJSON, *timeout, stdout, stderr, logOpt)
	}
	r, err := open(*backend, registry.SplitAddrs(*address), logOpt)
	if err != nil {
		return fail(err)
	}
	defer registry.Close(r)
	c := &cli{out: stdout, json: *asJSON, timeout: *timeout, r: r}
	switch cmd {
	case "services":
		err = c.services()
	case "get":
		err = c.get(rest[0])
	case "watch":
		err = c.watch(rest)
	case "register":
		err = c.register(rest[0])
	case "deregister":
		err = c.deregister(rest[0])
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

// open builds the backend: registry.New says why one cannot start. A
// gossip member that found nobody to join is refused too: alone, it knows
// no services.
func open(name string, addrs []string, opts ...registry.Option) (registry.Registry, error) {
	if len(addrs) > 0 {
		opts = append(opts, registry.Addrs(addrs...))
	}
	r, err := registry.New(name, opts...)
	if err != nil {
		return nil, err
	}
	if g, ok := r.(*gossip.Registry); ok && g.Members() <= 1 {
		// A member alone knows nothing; its first join has been tried.
		_ = registry.Close(r)
		if len(addrs) == 0 {
			return nil, errors.New("gossip: no member found on 127.0.0.1:7946; name one with --registry_address")
		}
		return nil, fmt.Errorf("gossip: cannot reach any member of %s", strings.Join(addrs, ","))
	}
	return r, nil
}

func (c *cli) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.timeout)
}

func (c *cli) services() error {
	ctx, cancel := c.ctx()
	defer cancel()
	if c.r.String() == "mdns" {
		c.listen(ctx)
	}
	list, err := c.r.ListServices(registry.ListContext(ctx))
	if err != nil {
		return err
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Name != list[j].Name {
			return list[i].Name < list[j].Name
		}
		return list[i].Version < list[j].Version
	})
	if c.json {
		return c.printJSON(list)
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tNODES")
	for _, s := range list {
		nodes := "-" // a backend that lists names and versions only
		if len(s.Nodes) > 0 {
			nodes = fmt.Sprint(len(s.Nodes))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Version, nodes)
	}
	return tw.Flush()
}

// listen lets an mdns registry, which lists only what it has heard, hear
// the network's answers to the browse a watch sends: it returns once they
// stop coming for half a second (or after 3 s, or at ctx's end).
func (c *cli) listen(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	w, err := c.r.Watch(registry.WatchContext(ctx))
	if err != nil {
		return
	}
	defer w.Stop()
	heard := make(chan struct{})
	go func() {
		defer close(heard)
		for {
			if _, err := w.Next(); errors.Is(err, registry.ErrWatcherStopped) {
				return
			}
			select {
			case heard <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	quiet := time.NewTimer(500 * time.Millisecond)
	defer quiet.Stop()
	for {
		select {
		case _, ok := <-heard:
			if !ok {
				return
			}
			quiet.Reset(500 * time.Millisecond)
		case <-quiet.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (c *cli) get(name string) error {
	ctx, cancel := c.ctx()
	defer cancel()
	svcs, err := c.r.GetService(name, registry.GetContext(ctx))
	if errors.Is(err, registry.ErrNotFound) {
		return fmt.Errorf("service %q not found", name)
	}
	if err != nil {
		return err
	}
	if c.json {
		return c.printJSON(svcs)
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	for i, s := range svcs {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "service %s, version %s\n", s.Name, s.Version)
		if len(s.Metadata) > 0 {
			fmt.Fprintf(tw, "metadata: %s\n", formatMeta(s.Metadata))
		}
		fmt.Fprintln(tw, "ID\tADDRESS\tMETADATA")
		for _, n := range s.Nodes {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", n.Id, n.Address, formatMeta(n.Metadata))
		}
		for _, e := range s.Endpoints {
			fmt.Fprintf(tw, "endpoint %s\n", e.Name)
		}
	}
	return tw.Flush()
}

func formatMeta(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

// watch prints events until SIGINT/SIGTERM.
func (c *cli) watch(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := []registry.WatchOption{registry.WatchContext(ctx)}
	if len(args) == 1 {
		opts = append(opts, registry.WatchService(args[0]))
	}
	w, err := c.r.Watch(opts...)
	if err != nil {
		return err
	}
	defer w.Stop()
	enc := json.NewEncoder(c.out)
	if !c.json {
		fmt.Fprintln(c.out, "watching; Ctrl-C to stop")
	}
	for {
		res, err := w.Next()
		if errors.Is(err, registry.ErrWatcherStopped) {
			return nil
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "microreg: watch:", err) // a backend error; the watch goes on
			continue
		}
		if c.json {
			if err := enc.Encode(res); err != nil {
				return err
			}
			continue
		}
		ids := make([]string, len(res.Service.Nodes))
		for i, n := range res.Service.Nodes {
			ids[i] = n.Id + "@" + n.Address
		}
		fmt.Fprintf(c.out, "%s %s %s %s\n", res.Action, res.Service.Name, res.Service.Version, strings.Join(ids, " "))
	}
}

func readService(path string) (*registry.Service, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s engine.Service
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := engine.ValidateService(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return face4.V4Service(&s), nil
}

// register registers the file's service and holds it until SIGINT/SIGTERM,
// then deregisters it.
func (c *cli) register(path string) error {
	s, err := readService(path)
	if err != nil {
		return err
	}
	// Catch Ctrl-C before saying "registered": one that arrives right
	// after must deregister, not kill the process.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	ctx, cancel := c.ctx()
	err = c.r.Register(s, registry.RegisterContext(ctx))
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "registered %s %s (%d nodes) with %s; Ctrl-C to deregister\n", s.Name, s.Version, len(s.Nodes), c.r.String())
	<-sig
	return c.deregisterService(s)
}

func (c *cli) deregister(path string) error {
	s, err := readService(path)
	if err != nil {
		return err
	}
	return c.deregisterService(s)
}

func (c *cli) deregisterService(s *registry.Service) error {
	ctx, cancel := c.ctx()
	defer cancel()
	if err := c.r.Deregister(s, registry.DeregisterContext(ctx)); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "deregistered %s %s (%d nodes)\n", s.Name, s.Version, len(s.Nodes))
	return nil
}

func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
