package threecx

import (
	"context"
	"fmt"
	"time"
)

// SystemStatus is the PBX's status singleton, GET /SystemStatus, with the fields a
// monitoring tool reads. Every field is nullable in the XAPI's schema, so each is a pointer
// that stays nil when the PBX sends null or leaves the field out.
type SystemStatus struct {
	Version   *string `json:"Version"`
	Activated *bool   `json:"Activated"`

	CallsActive *int32 `json:"CallsActive"`
	MaxSimCalls *int32 `json:"MaxSimCalls"`

	ExtensionsRegistered *int32 `json:"ExtensionsRegistered"`
	ExtensionsTotal      *int32 `json:"ExtensionsTotal"`
	TrunksRegistered     *int32 `json:"TrunksRegistered"`
	TrunksTotal          *int32 `json:"TrunksTotal"`

	LicenseActive        *bool      `json:"LicenseActive"`
	ExpirationDate       *time.Time `json:"ExpirationDate"`
	MaintenanceExpiresAt *time.Time `json:"MaintenanceExpiresAt"`
	MaxUserExtensions    *int32     `json:"MaxUserExtensions"`
	UserExtensions       *int32     `json:"UserExtensions"`

	// NOTE: the XAPI's schema gives no unit for the disk and recording sizes below. They
	// are taken to be bytes, and DiskUsage a percentage.
	FreeDiskSpace  *int64 `json:"FreeDiskSpace"`
	TotalDiskSpace *int64 `json:"TotalDiskSpace"`
	DiskUsage      *int32 `json:"DiskUsage"`

	RecordingUsedSpace    *int64 `json:"RecordingUsedSpace"`
	RecordingQuota        *int64 `json:"RecordingQuota"`
	RecordingQuotaReached *bool  `json:"RecordingQuotaReached"`
	RecordingStopped      *bool  `json:"RecordingStopped"`

	BackupScheduled       *bool      `json:"BackupScheduled"`
	LastBackupDateTime    *time.Time `json:"LastBackupDateTime"`
	HasNotRunningServices *bool      `json:"HasNotRunningServices"`
}

// SystemStatusPath is the path of the status singleton.
const SystemStatusPath = "/SystemStatus"

// SystemStatus fetches the PBX's status. Of the query options, only $select and $expand
// apply to a singleton.
func (c *Client) SystemStatus(ctx context.Context, opts QueryOptions) (*SystemStatus, error) {
	var status SystemStatus
	if err := c.Get(ctx, SystemStatusPath, opts, &status); err != nil {
		return nil, fmt.Errorf("GET %s: %w", SystemStatusPath, err)
	}
	return &status, nil
}
