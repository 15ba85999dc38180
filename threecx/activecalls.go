package threecx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ActiveCallsPath is the path of the collection of calls in progress.
const ActiveCallsPath = "/ActiveCalls"

// ActiveCallsPageSize is the $top of each page of active calls. 3CX returns at most 100
// rows to one request, whatever $top requests (seen by one public client).
const ActiveCallsPageSize = 100

// ActiveCallFields are the fields ActiveCalls selects when the options select none.
var ActiveCallFields = []string{"Id", "Caller", "Callee", "Status", "LastChangeStatus", "ServerNow"}

// ActiveCall is a call in progress.
type ActiveCall struct {
	ID int32 `json:"Id"`
	// Caller and Callee name the two parties. Either may be an outside phone number, which
	// must not reach a metric label or a log line.
	Caller string `json:"Caller"`
	Callee string `json:"Callee"`
	// Status is the call's state, such as Routing, Ringing or Talking. The XAPI's schema
	// gives it as a plain string, not an enumeration.
	Status string `json:"Status"`
	// LastChangeStatus is when Status last changed, and ServerNow the PBX's clock when it
	// responded. Either is nil when the PBX sent null.
	LastChangeStatus *time.Time `json:"LastChangeStatus"`
	ServerNow        *time.Time `json:"ServerNow"`
}

// ActiveCalls fetches every call in progress, ActiveCallsPageSize at a time with
// $count=true, until it has as many calls as @odata.count or a page comes back short.
// Calls start and end between pages, so a call that moved across a page boundary is
// returned once or missed. Without a $select in opts it selects ActiveCallFields.
func (c *Client) ActiveCalls(ctx context.Context, opts QueryOptions) ([]ActiveCall, error) {
	if len(opts.Select) == 0 {
		opts.Select = slices.Clone(ActiveCallFields)
	}
	opts.Count = true

	var calls []ActiveCall
	seen := map[int32]bool{}
	skip := opts.Skip
	for page := 0; page < MaxPages; page++ {
		pageOpts := opts
		pageOpts.Skip = skip
		pageOpts.Top = ActiveCallsPageSize

		var body struct {
			Value *[]ActiveCall `json:"value"`
			Count *int          `json:"@odata.count"`
		}
		if err := c.Get(ctx, ActiveCallsPath, pageOpts, &body); err != nil {
			return nil, fmt.Errorf("GET %s with $skip=%d: %w", ActiveCallsPath, skip, withholdBody(err))
		}
		if body.Value == nil {
			return nil, fmt.Errorf("GET %s with $skip=%d: %w", ActiveCallsPath, skip,
				errors.New("the response has no value array, so it is not an OData collection"))
		}

		rows := *body.Value
		// NOTE: a PBX that ignores $skip sends its first page for every request. Those calls
		// are dropped here as already seen, so calls past the first page are missed without
		// an error; failing instead would fail every busy PBX that behaves so.
		for _, call := range rows {
			if !seen[call.ID] {
				seen[call.ID] = true
				calls = append(calls, call)
			}
		}
		skip += len(rows)

		// Without @odata.count a short page is the only sign of the end.
		done := len(rows) < ActiveCallsPageSize
		if body.Count != nil {
			done = len(rows) == 0 || skip >= *body.Count
		}
		if done {
			return calls, nil
		}
	}
	return nil, fmt.Errorf("GET %s: the collection did not end after %d pages of %d rows;"+
		" the PBX may be ignoring $skip", ActiveCallsPath, MaxPages, ActiveCallsPageSize)
}

// withheldBody replaces the body of a DecodeError from a response that lists callers.
var withheldBody = []byte("(withheld, because it may contain callers' numbers)")

// withholdBody removes the response body from err when it is a DecodeError, so that the
// numbers of callers in the body never reach a log line.
func withholdBody(err error) error {
	var decodeErr *DecodeError
	if errors.As(err, &decodeErr) {
		decodeErr.Body = withheldBody
	}
	return err
}
