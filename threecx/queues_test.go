package threecx_test

import (
	"context"
	"slices"
	"testing"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

func TestQueuesAgentsOnlyWhenExpanded(t *testing.T) {
	dir := threecxtest.DemoDirectory()
	_, client := newDirectoryClient(t, dir)

	plain, err := client.Queues(context.Background(), threecx.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expanded, err := client.Queues(context.Background(), threecx.QueryOptions{Expand: []string{"Agents"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != len(dir.Queues) || len(expanded) != len(dir.Queues) {
		t.Fatalf("got %d and %d queues, want %d", len(plain), len(expanded), len(dir.Queues))
	}

	for i, q := range dir.Queues {
		if plain[i].Number != q.Number || plain[i].Name != q.Name {
			t.Errorf("queue %d = %q %q, want %q %q", i, plain[i].Number, plain[i].Name, q.Number, q.Name)
		}
		if plain[i].SLATime == nil || int(*plain[i].SLATime) != q.SLATime {
			t.Errorf("queue %s: SLATime = %v, want %d", q.Number, plain[i].SLATime, q.SLATime)
		}
		if len(plain[i].Agents) != 0 {
			t.Errorf("queue %s: %d agents without $expand, want none", q.Number, len(plain[i].Agents))
		}
		var agents []string
		for _, a := range expanded[i].Agents {
			agents = append(agents, a.Number)
		}
		if !slices.Equal(agents, q.Agents) {
			t.Errorf("queue %s: agents %q, want %q", q.Number, agents, q.Agents)
		}
	}
}
