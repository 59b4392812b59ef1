package gossip

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/microreg/microreg/engine"
)

// Preset names one of memberlist's configuration presets.
type Preset string

// The presets: timings for a loopback or single-host cluster, a LAN, or a
// WAN.
const (
	Local Preset = "local" // LocalConfig: memberlist.DefaultLocalConfig, 500 ms probes
	LAN   Preset = "lan"   // memberlist.DefaultLANConfig
	WAN   Preset = "wan"   // memberlist.DefaultWANConfig
)

// DefaultPort is where a node listens when given no port. If it is taken
// (another process on the host got there first) the node listens on a free
// port instead and, given no addresses to join, joins the node on
// DefaultPort, so processes on one host find each other with no
// configuration at all.
const DefaultPort = 7946

// DefaultBindAddr is the address a node listens on when given none:
// loopback, so that nothing leaves the host unless asked to.
const DefaultBindAddr = "127.0.0.1"

// ErrOpenCluster is why a node with no secret key does not start where
// other hosts can reach it (see InsecureOpenCluster); New's error wraps it
// and ErrNotStarted.
var ErrOpenCluster = errors.New("gossip: an open cluster reachable from other hosts")

// nodeConfig is what the options make of a node, before it starts.
type nodeConfig struct {
	// ml is memberlist's configuration, without the registry's delegate
	// and logger (startMember adds them).
	ml *memberlist.Config
	// implicitSeed is the member on the default port to join if that port
	// is taken and no port was given; empty when one was.
	implicitSeed string
	keyring      *memberlist.Keyring // nil without encryption
	reconnect    reconnectTimes
	// maxBcast is the largest update sent as a broadcast; larger ones
	// go over TCP.
	maxBcast int
}

// buildConfig reads the options into a nodeConfig. It changes nothing but
// what it returns (a Config option's memberlist.Config is copied).
func buildConfig(o engine.Options) (*nodeConfig, error) {
	bind, explicit := engine.ContextValue[hostPort](o, bindKey{})
	if !explicit {
		bind = hostPort{DefaultBindAddr, DefaultPort}
	}
	cfg, full := engine.ContextValue[*memberlist.Config](o, configKey{})
	if full && cfg != nil {
		c := *cfg
		cfg = &c
	} else {
		preset, ok := engine.ContextValue[Preset](o, presetKey{})
		if !ok {
			preset = LAN
			if ip := net.ParseIP(bind.host); ip != nil && ip.IsLoopback() {
				preset = Local
			}
		}
		switch preset {
		case Local:
			cfg = LocalConfig()
		case LAN:
			cfg = memberlist.DefaultLANConfig()
		case WAN:
			cfg = memberlist.DefaultWANConfig()
		default:
			return nil, fmt.Errorf("unknown preset %q (want local, lan or wan)", preset)
		}
	}
	if !full || explicit {
		cfg.BindAddr, cfg.BindPort = bind.host, bind.port
		cfg.AdvertiseAddr, cfg.AdvertisePort = "", bind.port
	}
	if adv, ok := engine.ContextValue[hostPort](o, advertiseKey{}); ok {
		cfg.AdvertiseAddr, cfg.AdvertisePort = adv.host, adv.port
	}
	if name, ok := engine.ContextValue[string](o, nameKey{}); ok && name != "" {
		cfg.Name = name
	} else if !full || cfg.Name == "" {
		cfg.Name = randomName()
	}
	nc := &nodeConfig{}
	keys, err := secretKeys(o)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 && cfg.Keyring == nil && len(cfg.SecretKey) == 0 {
		if keys, err = engine.KeysFromEnv(); err != nil {
			return nil, err
		}
	}
	open, _ := engine.ContextValue[bool](o, openKey{})
	// A Config with its own Transport binds where that transport does,
	// which is the caller's to secure.
	if len(keys) == 0 && cfg.Keyring == nil && len(cfg.SecretKey) == 0 && !open && cfg.Transport == nil && reachable(cfg.BindAddr) {
		return nil, fmt.Errorf("%w: it would listen on %s, which other hosts can reach, with no secret key: "+
			"any process that reaches the port could join and register any service. "+
			"Give every member a key (gossip.SecretKey, or %s=KEY in the environment; `microreg keygen` makes one), "+
			"bind loopback (gossip.BindAddress(\"127.0.0.1\", port)), "+
			"or accept an open cluster with gossip.InsecureOpenCluster()",
			ErrOpenCluster, net.JoinHostPort(cfg.BindAddr, strconv.Itoa(cfg.BindPort)), engine.EnvKey)
	}
	if len(keys) > 0 {
		kr, err := memberlist.NewKeyring(keys, keys[0])
		if err != nil {
			return nil, err
		}
		cfg.SecretKey, cfg.Keyring = nil, kr
		nc.keyring = kr
	}
	if name, ok := engine.ContextValue[string](o, clusterKey{}); ok {
		cfg.Label = name
	}
	nc.reconnect = reconnectTimes{4 * cfg.ProbeInterval, DefaultReconnectTimeout}
	if rt, ok := engine.ContextValue[reconnectTimes](o, reconnectKey{}); ok {
		nc.reconnect = rt
		if rt.timeout <= 0 {
			nc.reconnect.timeout = DefaultReconnectTimeout
		}
	}
	// A broadcast shares a packet with memberlist's own messages: keep
	// well under the packet size and send anything bigger over TCP.
	nc.maxBcast = cfg.UDPBufferSize - 200
	if !explicit {
		nc.implicitSeed = net.JoinHostPort(bind.host, strconv.Itoa(DefaultPort))
	}
	nc.ml = cfg
	return nc, nil
}

// reachable reports whether a node bound to host can be reached from other
// hosts: anything but a loopback address or "localhost" (the unspecified
// address, "", any interface's address, a host name).
func reachable(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// LocalConfig is the Local preset: memberlist.DefaultLocalConfig with a
// 500 ms probe interval (memberlist's is 1 s), since a probe on one host
// costs microseconds, and a suspicion multiplier of 2 (memberlist's local
// preset has 3): a suspected member is declared dead after
// 2 × log10(N) × 500 ms (about 1.5 s at 30 members) without waiting for
// other members to confirm the suspicion, which at 3 can stretch the
// verdict to 13 s when no confirmation comes. A member wrongly suspected
// refutes the suspicion itself as soon as it hears it, whatever the
// timeout.
func LocalConfig() *memberlist.Config {
	c := memberlist.DefaultLocalConfig()
	c.ProbeInterval = 500 * time.Millisecond
	c.SuspicionMult = 2
	return c
}

func randomName() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "node"
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}
