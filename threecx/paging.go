package threecx

import (
	"context"
	"errors"
	"fmt"
	"reflect"
)

// MaxPages is how many pages GetAll fetches at most before it gives up on a collection. At
// 100 rows a page it allows 100,000 rows, and it stops a PBX whose pages never end.
const MaxPages = 1000

// errNoValueArray is the error of a 200 response that is not an OData collection.
var errNoValueArray = errors.New("the response has no value array, so it is not an OData collection")

// GetAll fetches every row of the OData collection at path, pageSize rows at a time with
// $top and $skip, and stops at the first page that has fewer than pageSize rows. The XAPI
// sends no @odata.nextLink, so a short page is the only sign of the end. opts.Skip is the
// first row fetched and opts.Top, when not zero, caps the number of rows returned.
func GetAll[T any](ctx context.Context, c *Client, path string, opts QueryOptions, pageSize int) ([]T, error) {
	if pageSize <= 0 {
		return nil, fmt.Errorf("GET %s: invalid page size %d: want 1 or more", path, pageSize)
	}

	limit := opts.Top
	var rows, previous []T
	for page := 0; page < MaxPages; page++ {
		pageOpts := opts
		pageOpts.Skip = opts.Skip + len(rows)
		pageOpts.Top = pageSize
		if limit > 0 {
			pageOpts.Top = min(pageSize, limit-len(rows))
		}

		var body struct {
			Value *[]T `json:"value"`
		}
		if err := c.Get(ctx, path, pageOpts, &body); err != nil {
			return nil, fmt.Errorf("GET %s with $skip=%d: %w", path, pageOpts.Skip, err)
		}
		if body.Value == nil {
			return nil, fmt.Errorf("GET %s with $skip=%d: %w", path, pageOpts.Skip, errNoValueArray)
		}

		// A PBX that ignores $skip sends the first page again; stop after two requests
		// rather than a thousand.
		if page > 0 && len(*body.Value) > 0 && reflect.DeepEqual(previous, *body.Value) {
			return nil, fmt.Errorf("GET %s: the page at $skip=%d repeats the one before it;"+
				" the PBX may be ignoring $skip", path, pageOpts.Skip)
		}
		previous = *body.Value

		rows = append(rows, *body.Value...)
		if limit > 0 && len(rows) >= limit {
			return rows[:limit], nil
		}
		if len(*body.Value) < pageOpts.Top {
			return rows, nil
		}
	}
	return nil, fmt.Errorf("GET %s: the collection did not end after %d pages of %d rows;"+
		" the PBX may be ignoring $skip", path, MaxPages, pageSize)
}
