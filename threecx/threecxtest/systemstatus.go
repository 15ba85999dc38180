package threecxtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// systemStatusRow is the /SystemStatus singleton. LicenseKey and FQDN stand for the fields
// the exporter must not read or does not select.
type systemStatusRow struct {
	ID                    int32     `json:"Id"`
	FQDN                  string    `json:"FQDN"`
	Version               string    `json:"Version"`
	Activated             bool      `json:"Activated"`
	LicenseKey            string    `json:"LicenseKey"`
	CallsActive           int32     `json:"CallsActive"`
	MaxSimCalls           int32     `json:"MaxSimCalls"`
	ExtensionsRegistered  int32     `json:"ExtensionsRegistered"`
	ExtensionsTotal       int32     `json:"ExtensionsTotal"`
	TrunksRegistered      int32     `json:"TrunksRegistered"`
	TrunksTotal           int32     `json:"TrunksTotal"`
	LicenseActive         bool      `json:"LicenseActive"`
	ExpirationDate        time.Time `json:"ExpirationDate"`
	MaintenanceExpiresAt  time.Time `json:"MaintenanceExpiresAt"`
	MaxUserExtensions     int32     `json:"MaxUserExtensions"`
	UserExtensions        int32     `json:"UserExtensions"`
	FreeDiskSpace         int64     `json:"FreeDiskSpace"`
	TotalDiskSpace        int64     `json:"TotalDiskSpace"`
	DiskUsage             int32     `json:"DiskUsage"`
	RecordingUsedSpace    int64     `json:"RecordingUsedSpace"`
	RecordingQuota        int64     `json:"RecordingQuota"`
	RecordingQuotaReached bool      `json:"RecordingQuotaReached"`
	RecordingStopped      bool      `json:"RecordingStopped"`
	BackupScheduled       bool      `json:"BackupScheduled"`
	LastBackupDateTime    time.Time `json:"LastBackupDateTime"`
	HasNotRunningServices bool      `json:"HasNotRunningServices"`
}

// RegisteredExtensions returns how many extensions of the directory are registered.
func (d *Directory) RegisteredExtensions() int {
	n := 0
	for _, e := range d.Extensions {
		if e.Registered {
			n++
		}
	}
	return n
}

// systemStatus returns the /SystemStatus singleton at now: the calls of the call
// log in progress, the registered extensions and trunks, and the directory's System
// figures.
func (s *Server) systemStatus(now time.Time) systemStatusRow {
	sys := s.Directory.System
	onlineTrunks := 0
	for _, t := range s.Directory.Trunks {
		if t.Online {
			onlineTrunks++
		}
	}
	notRunning := false
	for _, svc := range s.Directory.Services {
		notRunning = notRunning || svc.Status != "Running"
	}
	diskUsage := int32(0)
	if sys.TotalDiskSpace > 0 {
		diskUsage = int32(100 * (sys.TotalDiskSpace - sys.FreeDiskSpace) / sys.TotalDiskSpace)
	}

	return systemStatusRow{
		ID: 1, FQDN: "demo.3cx.example", Version: sys.Version, Activated: true, LicenseKey: "FAKE-LICENSE-KEY",
		CallsActive:           int32(len(s.ActiveCalls(now))),
		MaxSimCalls:           int32(sys.MaxSimCalls),
		ExtensionsRegistered:  int32(s.Directory.RegisteredExtensions()),
		ExtensionsTotal:       int32(len(s.Directory.Extensions)),
		TrunksRegistered:      int32(onlineTrunks),
		TrunksTotal:           int32(len(s.Directory.Trunks)),
		LicenseActive:         sys.LicenseActive,
		ExpirationDate:        expiry(now, sys.LicenseValidDays),
		MaintenanceExpiresAt:  expiry(now, sys.MaintenanceValidDays),
		MaxUserExtensions:     int32(sys.MaxUserExtensions),
		UserExtensions:        int32(len(s.Directory.Extensions)),
		FreeDiskSpace:         sys.FreeDiskSpace,
		TotalDiskSpace:        sys.TotalDiskSpace,
		DiskUsage:             diskUsage,
		RecordingUsedSpace:    sys.RecordingUsedSpace,
		RecordingQuota:        sys.RecordingQuota,
		RecordingQuotaReached: sys.RecordingQuota > 0 && sys.RecordingUsedSpace >= sys.RecordingQuota,
		BackupScheduled:       sys.BackupScheduled,
		LastBackupDateTime:    lastBackup(sys, now),
		HasNotRunningServices: notRunning,
	}
}

// expiry returns 00:00 UTC of the day that is days after the date of now in UTC.
func expiry(now time.Time, days int) time.Time {
	year, month, day := now.UTC().Date()
	return time.Date(year, month, day+days, 0, 0, 0, 0, time.UTC)
}

// lastBackup returns the latest BackupHour o'clock at or before now, in now's time zone,
// or the zero time when no backup is scheduled.
func lastBackup(sys System, now time.Time) time.Time {
	if !sys.BackupScheduled {
		return time.Time{}
	}
	year, month, day := now.Date()
	backup := time.Date(year, month, day, sys.BackupHour, 0, 0, 0, now.Location())
	if backup.After(now) {
		backup = time.Date(year, month, day-1, sys.BackupHour, 0, 0, 0, now.Location())
	}
	return backup.UTC()
}

// serveSystemStatus serves /SystemStatus, with $select applied. It rejects every other
// query option, because the singleton has no navigation property to expand and is not a
// collection.
func (s *Server) serveSystemStatus(w http.ResponseWriter, r *http.Request) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", "malformed query: "+err.Error())
		return
	}
	for name := range values {
		if name != "$select" {
			writeError(w, http.StatusBadRequest, "BadRequest", "the query parameter "+name+" does not apply to a singleton")
			return
		}
	}

	m, err := toMap(s.systemStatus(s.Now()))
	if err == nil {
		m, err = project(m, "Pbx.SystemStatus", splitList(values.Get("$select")), nil, nil)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	m["@odata.context"] = "/xapi/v1/$metadata#SystemStatus"
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; odata.streaming=true")
	json.NewEncoder(w).Encode(m)
}
