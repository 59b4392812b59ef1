package consultest

import (
	"fmt"
	"time"

	"github.com/hashicorp/consul/api"
)

// RegisterCritical registers an instance id of service name through the
// agent, with a TTL check named "NAME TTL" that then fails with output
// "TTL expired": what a go-micro server that stopped heartbeating leaves
// behind. It returns once the catalog shows the check critical with that
// output (the agent syncs a status change at once; an output change alone
// would wait for check_update_interval).
func (a *Agent) RegisterCritical(tb TB, name, id string) {
	tb.Helper()
	cl, err := api.NewClient(&api.Config{Address: a.HTTPAddr})
	if err != nil {
		tb.Fatalf("consultest: %v", err)
	}
	checkID := "service:" + id
	err = cl.Agent().ServiceRegister(&api.AgentServiceRegistration{ID: id, Name: name, Address: "127.0.0.1", Port: 9090,
		Check: &api.AgentServiceCheck{CheckID: checkID, Name: name + " TTL", TTL: "30s", Status: api.HealthPassing}})
	if err != nil {
		tb.Fatalf("consultest: registering %s: %v", id, err)
	}
	if err := cl.Agent().UpdateTTL(checkID, "TTL expired", api.HealthCritical); err != nil {
		tb.Fatalf("consultest: failing %s: %v", checkID, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _, err := cl.Health().Service(name, "", false, nil)
		if err == nil {
			for _, e := range entries {
				for _, c := range e.Checks {
					if c.CheckID == checkID && c.Status == api.HealthCritical && c.Output == "TTL expired" {
						return
					}
				}
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("consultest: %s", fmt.Sprintf("the catalog never showed %s critical (%v)", checkID, err))
		}
		time.Sleep(50 * time.Millisecond) // polling interval of a bounded wait
	}
}
