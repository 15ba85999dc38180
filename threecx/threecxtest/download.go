package threecxtest

import "net/http"

// serveDownloadUserActivity serves DownloadGetUserActivity, the export behind the User
// Activity report of the console. The OpenAPI description gives it the parameters of
// GetUserActivity in the same order and the same response, a JSON collection of
// UserActivity rows, so the fake returns the same rows for both.
func (s *Server) serveDownloadUserActivity(w http.ResponseWriter, r *http.Request, path string) {
	args, cerr := parseFunctionCall(path, "/ReportUserActivity/Pbx.DownloadGetUserActivity", userActivityParams)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	filter, loc, from, to, cerr := parseUserActivityArgs(args)
	if cerr != nil {
		writeError(w, cerr.status, "BadRequest", cerr.message)
		return
	}

	writeCollection(w, r, s.userActivityRows(filter, loc, from, to))
}
