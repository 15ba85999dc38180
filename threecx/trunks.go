package threecx

import (
	"context"
	"slices"
)

// TrunksPath is the path of the trunk collection.
const TrunksPath = "/Trunks"

// TrunksPageSize is the $top of each page of trunks.
const TrunksPageSize = 100

// TrunkFields are the fields Trunks selects when the options select none.
var TrunkFields = []string{"Id", "Number", "IsOnline"}

// TrunkExpand is the $expand Trunks sends when the options expand nothing. A trunk's
// display name is the name of its gateway, which is a navigation property.
var TrunkExpand = []string{"Gateway($select=Name)"}

// Trunk is a SIP trunk or bridge.
type Trunk struct {
	ID     int32  `json:"Id"`
	Number string `json:"Number"`
	// IsOnline is whether the trunk is registered or reachable, or nil when the PBX sent
	// null.
	IsOnline *bool `json:"IsOnline"`
	// Gateway is nil unless the request expands Gateway.
	Gateway *TrunkGateway `json:"Gateway"`
}

// TrunkGateway is the part of a trunk's gateway that Trunks reads.
type TrunkGateway struct {
	Name string `json:"Name"`
}

// Name returns the display name of the trunk, which is its gateway's name, or "".
func (t Trunk) Name() string {
	if t.Gateway == nil {
		return ""
	}
	return t.Gateway.Name
}

// Trunks fetches every trunk, page by page. Without a $select or $expand in opts it sends
// TrunkFields and TrunkExpand.
func (c *Client) Trunks(ctx context.Context, opts QueryOptions) ([]Trunk, error) {
	if len(opts.Select) == 0 {
		opts.Select = slices.Clone(TrunkFields)
	}
	if len(opts.Expand) == 0 {
		opts.Expand = slices.Clone(TrunkExpand)
	}
	return GetAll[Trunk](ctx, c, TrunksPath, opts, TrunksPageSize)
}
