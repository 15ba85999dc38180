package config

import (
	"strings"
	"testing"
)

// TestTimeZoneLocalRejected checks that "Local", which time.LoadLocation takes as the
// exporter host's zone, is rejected: the PBX would get the string 'Local' as
// clientTimeZone, and the today window would follow the host's clock.
func TestTimeZoneLocalRejected(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantKey string
	}{
		{"target", `
targets:
  office:
    url: https://pbx.example.com:5001
    client_id: prometheus
    client_secret: s3cret
    time_zone: Local
reports:
  today:
    type: user_activity
    groups: [GRP0001]
`, "targets.office.time_zone"},
		{"user_activity report", `
targets:
  office:
    url: https://pbx.example.com:5001
    client_id: prometheus
    client_secret: s3cret
reports:
  today:
    type: user_activity
    groups: [GRP0001]
    time_zone: Local
`, "reports.today.time_zone"},
		{"queue_service report", `
targets:
  office:
    url: https://pbx.example.com:5001
    client_id: prometheus
    client_secret: s3cret
reports:
  queues:
    type: queue_service
    time_zone: Local
`, "reports.queues.time_zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatal("Parse accepted time_zone: Local")
			}
			if !strings.Contains(err.Error(), tt.wantKey) {
				t.Errorf("error %q does not name the key %s", err, tt.wantKey)
			}
			if !strings.Contains(err.Error(), `"Local"`) {
				t.Errorf("error %q does not name the value", err)
			}
		})
	}
}
