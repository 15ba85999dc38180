package collector_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/threecx-exporter/threecx_exporter/threecx/threecxtest"
)

// innerRequestHeader marks the request that listQueuesTwice passes on to the fake, so
// that the fake serves it as usual.
const innerRequestHeader = "X-Test-Inner-Request"

// listQueuesTwice makes the fake list every queue of /Queues twice in the same response,
// as a PBX does with a queue that moves between two pages while they are read.
func listQueuesTwice(t *testing.T, fake *threecxtest.Server) {
	t.Helper()
	fake.Intercept = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/xapi/v1/Queues" || r.Header.Get(innerRequestHeader) != "" {
			return false
		}
		inner := r.Clone(r.Context())
		inner.Header.Set(innerRequestHeader, "1")
		recorder := httptest.NewRecorder()
		fake.ServeHTTP(recorder, inner)

		var body struct {
			Value []json.RawMessage `json:"value"`
		}
		if recorder.Code != http.StatusOK || json.Unmarshal(recorder.Body.Bytes(), &body) != nil {
			t.Errorf("the fake answered /Queues with %d: %s", recorder.Code, recorder.Body)
			w.WriteHeader(http.StatusInternalServerError)
			return true
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"value": append(body.Value, body.Value...)})
		return true
	}
}

func TestQueueServiceQueueListedTwice(t *testing.T) {
	pbx := newPBXAt(t, threecxtest.DemoDirectory(), queueServiceConfig, scrapeTime)
	listQueuesTwice(t, pbx.fake)

	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	local := scrapeTime.In(berlin)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, berlin)
	want := expectedQueueService(pbx.fake.Directory, pbx.fake.Log, midnight, scrapeTime, 5*time.Second)
	compareSamples(t, pbx.collector(), want, queueServiceMetrics...)

	before := len(pbx.fake.Requests())
	gather(t, pbx.collector())
	slaRequests := 0
	for _, r := range pbx.fake.Requests()[before:] {
		if strings.Contains(r.Path, "GetStatisticSlaData") {
			slaRequests++
		}
	}
	if want := len(pbx.fake.Directory.Queues); slaRequests != want {
		t.Errorf("GetStatisticSlaData requests = %d, want one per queue in a scrape, %d", slaRequests, want)
	}
}

func TestQueueLiveQueueListedTwice(t *testing.T) {
	now := busyMoment(t, threecxtest.NewServer(threecxtest.DemoDirectory()))
	pbx := newPBXAt(t, threecxtest.DemoDirectory(), queueLiveConfig, now)
	listQueuesTwice(t, pbx.fake)
	d, log := pbx.fake.Directory, pbx.fake.Log

	t.Run("waiting", func(t *testing.T) {
		compareSamples(t, pbx.collector(), expectedWaiting(d, log, now),
			"threecx_queue_calls_waiting", "threecx_queue_oldest_wait_seconds")
	})
	t.Run("agents", func(t *testing.T) {
		compareSamples(t, pbx.collector(), expectedAgents(d, log, now), "threecx_queue_agents")
	})
}
