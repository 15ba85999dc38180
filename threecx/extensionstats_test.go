package threecx_test

import (
	"context"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

func TestExtensionStatisticsEmptyGroup(t *testing.T) {
	_, client := newDirectoryClient(t, threecxtest.DemoDirectory())
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

	rows, err := client.ExtensionStatistics(context.Background(), threecx.ExtensionStatisticsQuery{From: from, To: from.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("got %d rows for group '', want none, as on a real PBX", len(rows))
	}
}

func TestExtensionStatisticsRows(t *testing.T) {
	dir := threecxtest.DemoDirectory()
	fake, client := newDirectoryClient(t, dir)
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	to := from.Add(4 * time.Hour)
	fake.Now = func() time.Time { return to }

	rows, err := client.ExtensionStatistics(context.Background(), threecx.ExtensionStatisticsQuery{
		GroupNumber: "GRP0001", From: from, To: to, CallArea: threecx.CallAreaAll,
	})
	if err != nil {
		t.Fatal(err)
	}

	log := threecxtest.CallLog{Directory: &dir}
	members := dir.Members("GRP0001")
	if len(rows) != len(members) {
		t.Fatalf("got %d rows, want one per member of GRP0001, %d", len(rows), len(members))
	}
	for i, number := range members {
		var inAnswered int64
		var inTalk time.Duration
		for _, c := range log.Calls([]string{number}, from, to) {
			if c.Inbound && c.Answered {
				inAnswered++
				inTalk += c.Talk
			}
		}
		if rows[i].Dn != number {
			t.Errorf("row %d: Dn = %q, want %q", i, rows[i].Dn, number)
		}
		if rows[i].InboundAnsweredCount != inAnswered {
			t.Errorf("%s: InboundAnsweredCount = %d, want %d", number, rows[i].InboundAnsweredCount, inAnswered)
		}
		seconds, err := rows[i].InboundAnsweredTalkingDur.Seconds()
		if err != nil {
			t.Errorf("%s: %v", number, err)
		}
		if want := inTalk.Seconds(); seconds < want-1e-6 || seconds > want+1e-6 {
			t.Errorf("%s: inbound talk %v s, want %v s", number, seconds, want)
		}
	}
}
