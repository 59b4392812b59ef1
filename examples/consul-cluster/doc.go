// Command consul-cluster is the Vagrant cluster of Consul's tutorials on
// one machine, with no VMs: three Consul servers (-server
// -bootstrap-expect=3) and one client agent (with the UI) on 127.0.0.2
// to 127.0.0.5, and a walk through what a cluster does, printing each
// step: members, the Raft leader (list-peers and consul info), the KV
// store, the greeter registered through the client agent and found
// through a server's, the catalog as a server sees it, a server that
// fails and rejoins, and a leader that dies and is replaced while the
// greeter stays discoverable.
//
//	go run ./examples/consul-cluster              # the walk, then tear down
//	go run ./examples/consul-cluster --keep       # then stay up until Ctrl-C
//	go run ./examples/consul-cluster --servers=2  # the tutorial's two servers
//
// Three servers, not the tutorial's two: two servers cannot lose one and
// keep a leader (a quorum of two is both), so the leader's death would
// end the walk; Consul recommends three or five. With --servers=2 the
// leader-kill step shows that lost quorum instead of a new election, and
// brings the leader back.
//
// Consul is the consul on PATH, or one built once from tools/consul
// (minutes, the first time). Every agent runs with
// disable_update_check = true, so nothing leaves loopback. Everything is
// torn down on exit, also on Ctrl-C.
//
// # What it prints
//
// --keep: after the last step the killed leader rejoins, a greeter server registers again,
// and everything stays up until Ctrl-C, with what to open printed (output of
// --servers=2 --keep):
//
//	$ go run ./examples/consul-cluster --servers=2 --keep
//	11. --keep: the greeter server registers again; everything stays up
//	   server: registered greeter node greeter-e73dbf1b-762e-4bbb-9be9-b4962ac2f506 at 127.0.0.1:35779
//	   open the UI:       http://127.0.0.4:45053/ui/dc1/nodes
//	                      http://127.0.0.4:45053/ui/dc1/services/greeter/instances
//	   try Consul's CLI:  CONSUL_HTTP_ADDR=127.0.0.4:45053 consul members
//	                      CONSUL_HTTP_ADDR=127.0.0.4:45053 consul catalog services -tags
//	                      CONSUL_HTTP_ADDR=127.0.0.4:45053 consul catalog nodes -service=greeter
//	                      CONSUL_HTTP_ADDR=127.0.0.4:45053 consul operator raft list-peers
//	   and microreg's:    go run ./cmd/microreg --registry consul --registry_address 127.0.0.4:45053 services
//	                      go run ./cmd/microreg --registry consul --registry_address 127.0.0.4:45053 get greeter
//	   press Ctrl-C to tear everything down
//
// Why three servers where the tutorial ran two (-bootstrap-expect=2): Raft needs a quorum,
// a majority of the servers, to elect a leader and to write. Of two servers the quorum is
// both, so two servers cannot lose one and keep a leader; three can lose one, five can lose
// two, which is why Consul recommends three or five. --servers=2 follows the tutorial
// exactly, and its leader-kill step shows the lost quorum instead of an election, while the
// greeter stays discoverable through stale reads, then brings the leader back:
//
//	$ go run ./examples/consul-cluster --servers=2
//	9. the leader, server2, is killed: 1 of 2 servers left, short of a quorum of 2: no election can be won
//	   consul info on server1: raft state = Candidate, leader_addr = ""
//	   /v1/status/leader: none, for 3 s of election timeouts
//	   quorum lost: no leader, so no writes; this is why the walkthrough runs 3 servers by default (Consul recommends 3 or 5)
//	   the greeter is still discoverable, through server1's agent
//	   client: discovered greeter node greeter-d926aa74-c512-4fc0-ae46-485797c8ad3a at 127.0.0.1:33895
//	   client: reply "Hello Bob"
//	   server2 restarts with -rejoin: the cluster has its servers back
//
// What the default walk prints for the leader and the catalog:
//
//	$ go run ./examples/consul-cluster
//	3. the Raft leader (consul operator raft list-peers, and consul info on each server)
//	     Node     ID                                    Address          State     Voter  RaftProtocol  Commit Index  Trails Leader By
//	     server1  ad698d47-8613-1b3e-0cd9-b5f960aa2bcc  127.0.0.2:37637  leader    true   3             0             -
//	     server3  0b289f1a-d59b-eabe-4e58-f97c9aa7194b  127.0.0.4:40553  follower  true   3             0             0 commits
//	     server2  de04de05-faed-861d-7b5d-6c602e8ed6e7  127.0.0.3:39527  follower  true   3             0             0 commits
//	   consul info on server1: raft state = Leader, leader_addr = 127.0.0.2:37637
//	   consul info on server2: raft state = Follower, leader_addr = 127.0.0.2:37637
//	   consul info on server3: raft state = Follower, leader_addr = 127.0.0.2:37637
//	   /v1/status/leader: server1
//	...
//	6. on server1, every registered service (consul catalog services -tags) and the greeter's instances
//	     consul
//	     greeter      e-789c8c8d41…,microreg,microreg-version=latest,t-789caa562a28…,…,v-789cca492c492d2e01040000ffff08cc028e
//	   (microreg and microreg-version= are microreg's tags; t-, e- and v- are go-micro's consul plugin's:
//	   hex(zlib) of metadata, endpoints and version, so that services on the plugin can read it too)
//	     Node    ID        Address    DC
//	     client  434676ca  127.0.0.5  dc1
//	   /v1/health/service/greeter on server1:
//	     greeter-d903a7c7-787b-4518-99fe-1a7781023048 on node client at 127.0.0.1:42649
//	       Meta broker=http protocol=mucp registry=consul server=mucp transport=http
//	       checks Serf Health Status: passing, microreg heartbeat: passing
//
// (The greeter tag line is cut here; the command prints the plugin's tags whole.)
package main
