package threecxtest

import (
	"net/http"
	"strings"
)

// maxUsersTop is the largest $top that /Users accepts, because 3CX rejects more with 400.
const maxUsersTop = 100

// userRow is a user as /Users returns it. EmailAddress and AuthID stand for the many
// fields the exporter does not select.
type userRow struct {
	ID                 int32  `json:"Id"`
	Number             string `json:"Number"`
	DisplayName        string `json:"DisplayName"`
	FirstName          string `json:"FirstName"`
	LastName           string `json:"LastName"`
	IsRegistered       bool   `json:"IsRegistered"`
	CurrentProfileName string `json:"CurrentProfileName"`
	QueueStatus        string `json:"QueueStatus"`
	EmailAddress       string `json:"EmailAddress"`
	AuthID             string `json:"AuthID"`
}

func (s *Server) serveUsers(w http.ResponseWriter, r *http.Request) {
	opts, err := parseQueryOptions(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	if opts.top > maxUsersTop {
		writeError(w, http.StatusBadRequest, "BadRequest",
			"The limit of '100' for Top query has been exceeded. The value from the incoming request is '"+
				r.URL.Query().Get("$top")+"'.")
		return
	}

	rows := make([]userRow, 0, len(s.Directory.Extensions))
	for i, e := range s.Directory.Extensions {
		first, last, _ := strings.Cut(e.Name, " ")
		status := "LoggedOut"
		if e.QueueLoggedIn {
			status = "LoggedIn"
		}
		rows = append(rows, userRow{
			ID: int32(100 + i), Number: e.Number, DisplayName: e.Name, FirstName: first, LastName: last,
			IsRegistered: e.Registered, CurrentProfileName: e.Profile, QueueStatus: status,
			EmailAddress: e.Number + "@example.com", AuthID: "auth" + e.Number,
		})
	}
	writeProjected(w, r, "Pbx.User", rows, nil)
}
