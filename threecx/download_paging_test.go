package threecx_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/threecx-exporter/threecx_exporter/threecx"
	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// dropQueryOption makes the fake ignore one query option of the requests to the function,
// as a PBX does that does not implement it.
func dropQueryOption(fake *threecxtest.Server, function, option string) {
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/Pbx."+function+"(") {
			return false
		}
		query := r.URL.Query()
		query.Del(option)
		r.URL.RawQuery = query.Encode()
		return false
	}
}

func TestDownloadUserActivitySkipIgnored(t *testing.T) {
	client, fake := newDownloadFake(t)
	dropQueryOption(fake, threecx.DownloadUserActivitySignature.Function, "$skip")
	day := expectedDayRows(fake, "GRP0001")
	const pageSize = 10
	if len(day) <= pageSize {
		t.Fatalf("the day has %d rows, too few for a second page of %d", len(day), pageSize)
	}

	rows, err := client.DownloadUserActivity(context.Background(), downloadQuery(threecx.QueryOptions{}), pageSize, nil)
	if err == nil {
		t.Fatalf("the download returned %d rows of a report with %d, want an error", len(rows), len(day))
	}
	if !strings.Contains(err.Error(), "$skip") {
		t.Errorf("the error does not say that the PBX ignores $skip: %v", err)
	}
	if !strings.Contains(err.Error(), day[0].DateTimeInterval) {
		t.Errorf("the error does not name the repeated row %s: %v", day[0].DateTimeInterval, err)
	}
}

func TestDownloadUserActivityTopIgnored(t *testing.T) {
	client, fake := newDownloadFake(t)
	dropQueryOption(fake, threecx.DownloadUserActivitySignature.Function, "$top")
	day := expectedDayRows(fake, "GRP0001")
	const top = 5

	for _, pageSize := range []int{0, 2} {
		rows, err := client.DownloadUserActivity(context.Background(),
			downloadQuery(threecx.QueryOptions{Top: top}), pageSize, nil)
		if err != nil {
			t.Fatalf("page size %d: %v", pageSize, err)
		}
		if !reflect.DeepEqual(rows, day[:top]) {
			t.Errorf("page size %d: got %d rows, want the first %d of the day:\n%+v", pageSize, len(rows), top, rows)
		}
	}

	// The requests of the fake kept $top in the log, though it was ignored.
	for _, r := range fake.Requests() {
		query, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Fatal(err)
		}
		if query.Get("$top") != "" {
			t.Errorf("the fake logged $top=%s, so the option was not dropped", query.Get("$top"))
		}
	}
}
