package collector

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/threecx"
)

var (
	licenseActiveDesc = prometheus.NewDesc(
		"threecx_license_active",
		"1 when the PBX reports its licence as active (SystemStatus LicenseActive), 0 otherwise.",
		[]string{"report"}, nil)
	licenseExpiryDesc = prometheus.NewDesc(
		"threecx_license_expiry_timestamp_seconds",
		"When the PBX's licence expires (SystemStatus ExpirationDate), as a Unix time in seconds.",
		[]string{"report"}, nil)
	maintenanceExpiryDesc = prometheus.NewDesc(
		"threecx_maintenance_expiry_timestamp_seconds",
		"When the PBX's maintenance expires (SystemStatus MaintenanceExpiresAt), as a Unix time in seconds.",
		[]string{"report"}, nil)
	userExtensionsDesc = prometheus.NewDesc(
		"threecx_user_extensions",
		"User extensions in use (state=\"used\", SystemStatus UserExtensions) and allowed by the licence"+
			" (state=\"max\", SystemStatus MaxUserExtensions).",
		[]string{"report", "state"}, nil)
	diskBytesDesc = prometheus.NewDesc(
		"threecx_disk_bytes",
		"Free (state=\"free\") and total (state=\"total\") space of the PBX's disk in bytes, from SystemStatus"+
			" FreeDiskSpace and TotalDiskSpace.",
		[]string{"report", "state"}, nil)
	recordingBytesDesc = prometheus.NewDesc(
		"threecx_recording_bytes",
		"Space used by call recordings (state=\"used\", SystemStatus RecordingUsedSpace) and their quota"+
			" (state=\"quota\", SystemStatus RecordingQuota) in bytes.",
		[]string{"report", "state"}, nil)
	recordingQuotaReachedDesc = prometheus.NewDesc(
		"threecx_recording_quota_reached",
		"1 when call recordings have reached their quota (SystemStatus RecordingQuotaReached), 0 otherwise.",
		[]string{"report"}, nil)
	recordingStoppedDesc = prometheus.NewDesc(
		"threecx_recording_stopped",
		"1 when the PBX has stopped recording calls (SystemStatus RecordingStopped), 0 otherwise.",
		[]string{"report"}, nil)
	backupLastDesc = prometheus.NewDesc(
		"threecx_backup_last_timestamp_seconds",
		"When the PBX's last backup ran (SystemStatus LastBackupDateTime), as a Unix time in seconds.",
		[]string{"report"}, nil)
	backupScheduledDesc = prometheus.NewDesc(
		"threecx_backup_scheduled",
		"1 when a backup is scheduled (SystemStatus BackupScheduled), 0 otherwise.",
		[]string{"report"}, nil)
	trunkOnlineDesc = prometheus.NewDesc(
		"threecx_trunk_online",
		"1 when the trunk is online (Trunks IsOnline), 0 otherwise. trunk is the trunk's number.",
		[]string{"report", "trunk"}, nil)
	serviceStatusDesc = prometheus.NewDesc(
		"threecx_service_status",
		"State set of each PBX service (Services Status): 1 for the service's current status, 0 for the others.",
		[]string{"report", "service", "status"}, nil)
	sbcConnectedDesc = prometheus.NewDesc(
		"threecx_sbc_connected",
		"1 when the Session Border Controller is connected to the PBX (Sbcs HasConnection), 0 otherwise.",
		[]string{"report", "sbc"}, nil)
	sbcLatencyDesc = prometheus.NewDesc(
		"threecx_sbc_latency_seconds",
		"Latency of the Session Border Controller's connection (Sbcs Connection.Latency, read as milliseconds),"+
			" in seconds. Absent when the PBX reports none.",
		[]string{"report", "sbc"}, nil)
)

// systemStatusFields are the fields of /SystemStatus the system report reads.
var systemStatusFields = []string{
	"LicenseActive", "ExpirationDate", "MaintenanceExpiresAt", "MaxUserExtensions", "UserExtensions",
	"FreeDiskSpace", "TotalDiskSpace", "RecordingUsedSpace", "RecordingQuota",
	"RecordingQuotaReached", "RecordingStopped", "BackupScheduled", "LastBackupDateTime",
}

// systemReport reads the PBX's licence, storage, backup, trunk, service and SBC state, one
// request per collection. A field the PBX leaves null gives no series rather than a 0.
type systemReport struct {
	reportName string
}

func (r *systemReport) name() string { return r.reportName }

// systemParts are the responses of the system report's requests. A nil part failed.
type systemParts struct {
	status   *threecx.SystemStatus
	trunks   []threecx.Trunk
	services []threecx.Service
	sbcs     []threecx.SBC
}

func (r *systemReport) fetch(s *scrape) (*reportData, error) {
	var parts systemParts
	requests := []func(ctx context.Context) error{
		func(ctx context.Context) (err error) {
			parts.status, err = s.client.SystemStatus(ctx, threecx.QueryOptions{Select: systemStatusFields})
			return err
		},
		func(ctx context.Context) (err error) {
			parts.trunks, err = s.client.Trunks(ctx, threecx.QueryOptions{})
			return err
		},
		func(ctx context.Context) (err error) {
			parts.services, err = s.client.Services(ctx, threecx.QueryOptions{})
			return err
		},
		func(ctx context.Context) (err error) {
			parts.sbcs, err = s.client.SBCs(ctx, threecx.QueryOptions{})
			return err
		},
	}
	err := s.forEach(len(requests), func(ctx context.Context, i int) error {
		return requests[i](ctx)
	})

	data := &reportData{}
	if parts.status != nil {
		r.addStatus(data, parts.status)
	}
	r.addTrunks(data, parts.trunks)
	r.addServices(data, parts.services)
	r.addSBCs(data, parts.sbcs)
	if err != nil {
		err = fmt.Errorf("system: %w", err)
	}
	return data, err
}

func (r *systemReport) addStatus(data *reportData, st *threecx.SystemStatus) {
	r.addBool(data, licenseActiveDesc, st.LicenseActive)
	r.addTime(data, licenseExpiryDesc, st.ExpirationDate)
	r.addTime(data, maintenanceExpiryDesc, st.MaintenanceExpiresAt)
	addCount(r, data, userExtensionsDesc, st.UserExtensions, "used")
	addCount(r, data, userExtensionsDesc, st.MaxUserExtensions, "max")
	addCount(r, data, diskBytesDesc, st.FreeDiskSpace, "free")
	addCount(r, data, diskBytesDesc, st.TotalDiskSpace, "total")
	addCount(r, data, recordingBytesDesc, st.RecordingUsedSpace, "used")
	addCount(r, data, recordingBytesDesc, st.RecordingQuota, "quota")
	r.addBool(data, recordingQuotaReachedDesc, st.RecordingQuotaReached)
	r.addBool(data, recordingStoppedDesc, st.RecordingStopped)
	r.addTime(data, backupLastDesc, st.LastBackupDateTime)
	r.addBool(data, backupScheduledDesc, st.BackupScheduled)
}

// addTrunks sends the state of each trunk. A trunk listed twice, which paging does with a
// row that moves between two pages, gives one series. addServices and addSBCs do the same.
func (r *systemReport) addTrunks(data *reportData, trunks []threecx.Trunk) {
	seen := map[string]bool{}
	for _, t := range trunks {
		if seen[t.Number] {
			continue
		}
		seen[t.Number] = true
		data.addName("trunk", t.Number, t.Name())
		if t.IsOnline != nil {
			r.add(data, trunkOnlineDesc, boolValue(*t.IsOnline), t.Number)
		}
	}
}

// addServices sends the state set of each service. A status outside the XAPI's
// enumeration gets a series of its own with 1, so that it shows rather than reads as
// every known status being 0. A null status gives no series, like other null fields.
func (r *systemReport) addServices(data *reportData, services []threecx.Service) {
	known := threecx.ServiceStatuses()
	seen := map[string]bool{}
	for _, svc := range services {
		if seen[svc.Name] {
			continue
		}
		seen[svc.Name] = true
		data.addName("service", svc.Name, svc.DisplayName)
		if svc.Status == nil {
			continue
		}
		current := *svc.Status
		for _, status := range known {
			r.add(data, serviceStatusDesc, boolValue(status == current), svc.Name, string(status))
		}
		if current != "" && !isKnownServiceStatus(current) {
			r.add(data, serviceStatusDesc, 1, svc.Name, string(current))
		}
	}
}

func isKnownServiceStatus(status threecx.ServiceStatus) bool {
	for _, s := range threecx.ServiceStatuses() {
		if s == status {
			return true
		}
	}
	return false
}

func (r *systemReport) addSBCs(data *reportData, sbcs []threecx.SBC) {
	seen := map[string]bool{}
	for _, sbc := range sbcs {
		if seen[sbc.Name] {
			continue
		}
		seen[sbc.Name] = true
		data.addName("sbc", sbc.Name, sbc.DisplayName)
		if sbc.HasConnection != nil {
			r.add(data, sbcConnectedDesc, boolValue(*sbc.HasConnection), sbc.Name)
		}
		if sbc.Connection != nil && sbc.Connection.Latency != nil {
			latency := time.Duration(*sbc.Connection.Latency) * time.Millisecond
			r.add(data, sbcLatencyDesc, latency.Seconds(), sbc.Name)
		}
	}
}

func (r *systemReport) add(data *reportData, desc *prometheus.Desc, value float64, labels ...string) {
	labels = append([]string{r.reportName}, labels...)
	data.metrics = append(data.metrics, prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, value, labels...))
}

func (r *systemReport) addBool(data *reportData, desc *prometheus.Desc, value *bool) {
	if value != nil {
		r.add(data, desc, boolValue(*value))
	}
}

func (r *systemReport) addTime(data *reportData, desc *prometheus.Desc, value *time.Time) {
	if value == nil {
		return
	}
	// .NET writes DateTime.MinValue, 0001-01-01, for a time that never was, such as the last
	// backup of a PBX that never backed up. That becomes 0, the Unix epoch, so an age
	// computed as time() minus the metric is huge instead of the value being negative.
	// NOTE: that 3CX sends MinValue for "never" is inferred from .NET; no source shows it.
	if value.Year() <= 1 {
		r.add(data, desc, 0)
		return
	}
	r.add(data, desc, float64(value.UnixMilli())/1000)
}

// addCount sends value, a count or size, unless the PBX left it null.
func addCount[T int32 | int64](r *systemReport, data *reportData, desc *prometheus.Desc, value *T, state string) {
	if value != nil {
		r.add(data, desc, float64(*value), state)
	}
}
