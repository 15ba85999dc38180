package threecx

import (
	"context"
	"errors"
	"fmt"
)

// DownloadUserActivitySignature is the export of the User Activity report that the PBX's
// console offers for download. It takes the parameters of GetUserActivity in the same
// order and, in the OpenAPI description of 3CX 20.0.10, responds with the same JSON collection.
//
// NOTE: the console saves the export as a file. If a PBX version responds with a file format
// other than JSON, DownloadUserActivity fails with a DecodeError that names the content type.
var DownloadUserActivitySignature = Signature{
	EntitySet: "ReportUserActivity",
	Function:  "DownloadGetUserActivity",
	Params:    UserActivitySignature.Params,
}

// DownloadUserActivityPath returns the escaped request path of the download of q.
func DownloadUserActivityPath(q UserActivityQuery) (string, error) {
	return DownloadUserActivitySignature.Path(q.arguments()...)
}

// DownloadProgress is the state of a download after one of its requests.
type DownloadProgress struct {
	// Requests is the number of requests made so far.
	Requests int
	// Rows is the number of rows received so far.
	Rows int
	// Total is the number of rows the PBX reported for the whole report (@odata.count), or
	// -1 before it reported one.
	Total int64
}

// DownloadUserActivity fetches the rows of q with DownloadGetUserActivity. With pageSize
// 0 it makes one request with q.Options as they are. With a pageSize above 0 it requests
// pages of that many rows with $top and $skip and $count=true, starting at q.Options.Skip.
// It stops after q.Options.Top rows when Top is set, once it has the rows that
// @odata.count promised, or at the first short page.
// onProgress, when not nil, is called after every request.
func (c *Client) DownloadUserActivity(ctx context.Context, q UserActivityQuery, pageSize int,
	onProgress func(DownloadProgress)) ([]UserActivity, error) {
	if pageSize < 0 {
		return nil, fmt.Errorf("invalid page size %d: want 0 for a single request, or a positive number of rows", pageSize)
	}
	path, err := DownloadUserActivityPath(q)
	if err != nil {
		return nil, err
	}

	progress := DownloadProgress{Total: -1}
	var rows []UserActivity
	intervals := map[string]bool{}
	for progress.Requests < MaxPages {
		opts := q.Options
		if pageSize > 0 {
			opts = pageOptions(q.Options, pageSize, len(rows))
		}

		page, count, err := c.downloadPage(ctx, path, opts)
		if err == nil && pageSize > 0 {
			err = checkNewIntervals(intervals, page)
		}
		if err != nil && pageSize > 0 {
			return nil, fmt.Errorf("%s with $skip=%d: %w", DownloadUserActivitySignature.Function, opts.Skip, err)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", DownloadUserActivitySignature.Function, err)
		}
		rows = append(rows, page...)
		// A PBX that ignores $top returns more rows than requested.
		if q.Options.Top > 0 && len(rows) > q.Options.Top {
			rows = rows[:q.Options.Top]
		}
		progress.Requests++
		progress.Rows = len(rows)
		if count != nil {
			progress.Total = *count
		}
		if onProgress != nil {
			onProgress(progress)
		}

		limitReached := q.Options.Top > 0 && len(rows) >= q.Options.Top
		// @odata.count counts the whole collection, the rows before $skip included.
		countReached := count != nil && int64(q.Options.Skip+len(rows)) >= *count
		if pageSize == 0 || limitReached || countReached || len(page) < opts.Top {
			return rows, nil
		}
	}
	return nil, fmt.Errorf("%s: the report did not end after %d pages of %d rows; the PBX may be ignoring $skip",
		DownloadUserActivitySignature.Function, MaxPages, pageSize)
}

// checkNewIntervals fails when a row of page has a DateTimeInterval that an earlier page
// had, and records the intervals of page in seen. Each bucket of the report has an interval
// of its own, so a repeated one means that the PBX ignored $skip or that the pages overlap.
// A row without an interval is not checked.
// NOTE: distinct intervals are known for groupingType 0, hour by hour, whose buckets are
// date-times. 3CX documents no other grouping type.
func checkNewIntervals(seen map[string]bool, page []UserActivity) error {
	for _, row := range page {
		if row.DateTimeInterval == "" {
			continue
		}
		if seen[row.DateTimeInterval] {
			return fmt.Errorf("the row of %s came back in a later page; the PBX may be ignoring $skip",
				row.DateTimeInterval)
		}
	}
	for _, row := range page {
		seen[row.DateTimeInterval] = true
	}
	return nil
}

// pageOptions returns the options of the page that starts after received rows.
func pageOptions(base QueryOptions, pageSize, received int) QueryOptions {
	opts := base
	opts.Skip = base.Skip + received
	opts.Top = pageSize
	if base.Top > 0 {
		opts.Top = min(pageSize, base.Top-received)
	}
	opts.Count = true
	return opts
}

// downloadPage returns the rows of one request and its @odata.count, nil when not sent.
func (c *Client) downloadPage(ctx context.Context, path string, opts QueryOptions) ([]UserActivity, *int64, error) {
	var page struct {
		Value *[]UserActivity `json:"value"`
		Count *int64          `json:"@odata.count"`
	}
	if err := c.Get(ctx, path, opts, &page); err != nil {
		return nil, nil, err
	}
	if page.Value == nil {
		return nil, nil, errors.New("the response has no value array, so it is not an OData collection")
	}
	return *page.Value, page.Count, nil
}
