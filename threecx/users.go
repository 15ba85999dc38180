package threecx

import (
	"context"
	"slices"
)

// UsersPath is the path of the user collection.
const UsersPath = "/Users"

// UsersPageSize is the $top of each page of users, because 3CX rejects a larger $top on
// /Users with 400.
const UsersPageSize = 100

// UserFields are the fields Users selects when the options select none.
var UserFields = []string{
	"Id", "Number", "DisplayName", "FirstName", "LastName",
	"IsRegistered", "CurrentProfileName", "QueueStatus",
}

// QueueStatus is whether a user takes queue calls.
type QueueStatus string

// The values of QueueStatus.
const (
	QueueStatusLoggedIn  QueueStatus = "LoggedIn"
	QueueStatusLoggedOut QueueStatus = "LoggedOut"
)

// User is a user's extension with its live state.
type User struct {
	ID          int32  `json:"Id"`
	Number      string `json:"Number"`
	DisplayName string `json:"DisplayName"`
	FirstName   string `json:"FirstName"`
	LastName    string `json:"LastName"`
	// IsRegistered is whether a phone or app is registered, or nil when the PBX sent null.
	IsRegistered *bool `json:"IsRegistered"`
	// CurrentProfileName is the presence profile, such as Available or Away.
	CurrentProfileName string `json:"CurrentProfileName"`
	// QueueStatus is empty when the PBX sent null.
	QueueStatus QueueStatus `json:"QueueStatus"`
}

// Name returns the display name, or the first and last name when the display name is empty.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	switch {
	case u.FirstName != "" && u.LastName != "":
		return u.FirstName + " " + u.LastName
	case u.FirstName != "":
		return u.FirstName
	}
	return u.LastName
}

// Users fetches every user, UsersPageSize at a time. Without a $select in opts it selects
// UserFields, and without an $orderby it orders by Id, so that a user added during the
// paging lands on the last page instead of shifting the rows of the others. A $top in
// opts caps the number of users returned.
func (c *Client) Users(ctx context.Context, opts QueryOptions) ([]User, error) {
	if len(opts.Select) == 0 {
		opts.Select = slices.Clone(UserFields)
	}
	if len(opts.OrderBy) == 0 {
		opts.OrderBy = []string{"Id"}
	}
	return GetAll[User](ctx, c, UsersPath, opts, UsersPageSize)
}
