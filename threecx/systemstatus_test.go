package threecx_test

import (
	"context"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

func TestSystemStatusFields(t *testing.T) {
	dir := threecxtest.DemoDirectory()
	fake, client := newDirectoryClient(t, dir)
	now := time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC)
	fake.Now = func() time.Time { return now }

	status, err := client.SystemStatus(context.Background(), threecx.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	registered := 0
	for _, e := range dir.Extensions {
		if e.Registered {
			registered++
		}
	}

	checkInt := func(field string, got *int32, want int) {
		t.Helper()
		if got == nil || int(*got) != want {
			t.Errorf("%s = %v, want %d", field, got, want)
		}
	}
	checkInt("MaxSimCalls", status.MaxSimCalls, dir.System.MaxSimCalls)
	checkInt("ExtensionsTotal", status.ExtensionsTotal, len(dir.Extensions))
	checkInt("ExtensionsRegistered", status.ExtensionsRegistered, registered)
	checkInt("TrunksTotal", status.TrunksTotal, len(dir.Trunks))
	checkInt("MaxUserExtensions", status.MaxUserExtensions, dir.System.MaxUserExtensions)
	if status.Version == nil || *status.Version != dir.System.Version {
		t.Errorf("Version = %v, want %q", status.Version, dir.System.Version)
	}
	// The licence expires at 00:00 UTC, LicenseValidDays after the date of the fake's clock.
	expires := time.Date(2026, 12, 4+dir.System.LicenseValidDays, 0, 0, 0, 0, time.UTC)
	if status.ExpirationDate == nil || !status.ExpirationDate.Equal(expires) {
		t.Errorf("ExpirationDate = %v, want %s", status.ExpirationDate, expires)
	}
	if status.FreeDiskSpace == nil || *status.FreeDiskSpace != dir.System.FreeDiskSpace {
		t.Errorf("FreeDiskSpace = %v, want %d", status.FreeDiskSpace, dir.System.FreeDiskSpace)
	}
}

func TestSystemStatusSelect(t *testing.T) {
	_, client := newDirectoryClient(t, threecxtest.DemoDirectory())

	status, err := client.SystemStatus(context.Background(), threecx.QueryOptions{Select: []string{"CallsActive"}})
	if err != nil {
		t.Fatal(err)
	}
	if status.CallsActive == nil {
		t.Error("CallsActive is missing although selected")
	}
	if status.MaxSimCalls != nil {
		t.Errorf("MaxSimCalls = %d although not selected, want nil", *status.MaxSimCalls)
	}
}
