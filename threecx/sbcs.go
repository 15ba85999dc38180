package threecx

import (
	"context"
	"slices"
)

// SBCsPath is the path of the collection of Session Border Controllers.
const SBCsPath = "/Sbcs"

// SBCsPageSize is the $top of each page of SBCs.
const SBCsPageSize = 100

// SBCFields are the fields SBCs selects when the options select none. Connection is a
// complex property, so it is selected rather than expanded.
var SBCFields = []string{"Name", "DisplayName", "HasConnection", "Connection"}

// SBC is a 3CX Session Border Controller that connects remote phones to the PBX.
type SBC struct {
	// Name is the SBC's unique name, at most 12 characters.
	Name        string `json:"Name"`
	DisplayName string `json:"DisplayName"`
	// HasConnection is whether the SBC is connected to the PBX, or nil when the PBX sent
	// null.
	HasConnection *bool `json:"HasConnection"`
	// Connection is nil when the SBC has never connected.
	Connection *SBCConnection `json:"Connection"`
}

// SBCConnection is the state of an SBC's tunnel to the PBX.
type SBCConnection struct {
	// NOTE: the XAPI's schema gives no unit for Latency. The 3CX console shows SBC
	// latency in milliseconds, so it is taken to be milliseconds.
	Latency *int64 `json:"Latency"`
	Up      *bool  `json:"Up"`
}

// SBCs fetches every SBC, page by page. Without a $select in opts it selects SBCFields.
func (c *Client) SBCs(ctx context.Context, opts QueryOptions) ([]SBC, error) {
	if len(opts.Select) == 0 {
		opts.Select = slices.Clone(SBCFields)
	}
	return GetAll[SBC](ctx, c, SBCsPath, opts, SBCsPageSize)
}
