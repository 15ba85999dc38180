package collector

import (
	"context"
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

var (
	activeCallsDesc = prometheus.NewDesc(
		"threecx_active_calls",
		"Calls in progress on the PBX (SystemStatus CallsActive).",
		[]string{"report"}, nil)
	maxSimultaneousCallsDesc = prometheus.NewDesc(
		"threecx_max_simultaneous_calls",
		"Simultaneous calls the PBX's licence allows (SystemStatus MaxSimCalls).",
		[]string{"report"}, nil)
	extensionsDesc = prometheus.NewDesc(
		"threecx_extensions",
		"Extensions of the PBX that are registered (state=\"registered\") and that exist"+
			" (state=\"total\"), from SystemStatus.",
		[]string{"report", "state"}, nil)
	trunksDesc = prometheus.NewDesc(
		"threecx_trunks",
		"Trunks of the PBX that are registered (state=\"registered\") and that exist"+
			" (state=\"total\"), from SystemStatus.",
		[]string{"report", "state"}, nil)
	userRegisteredDesc = prometheus.NewDesc(
		"threecx_user_registered",
		"1 when a phone or app is registered to the user's extension (Users IsRegistered), 0 otherwise.",
		[]string{"report", "extension"}, nil)
	userQueueLoggedInDesc = prometheus.NewDesc(
		"threecx_user_queue_logged_in",
		"1 when the user is logged into the queues (Users QueueStatus LoggedIn), 0 otherwise.",
		[]string{"report", "extension"}, nil)
	userPresenceDesc = prometheus.NewDesc(
		"threecx_user_presence",
		"1 for the user's current presence profile (Users CurrentProfileName), such as Available or Away."+
			" Only the current profile has a series.",
		[]string{"report", "extension", "profile"}, nil)
)

// statusReport reads the live state of the PBX and of every user: GET /SystemStatus and
// GET /Users, paged. It has no window. The report's options go with the /Users requests,
// because the status singleton takes none.
type statusReport struct {
	reportName string
	config     *config.Report
}

func (r *statusReport) name() string { return r.reportName }

func (r *statusReport) fetch(s *scrape) (*reportData, error) {
	var status *threecx.SystemStatus
	var users []threecx.User
	err := s.forEach(2, func(ctx context.Context, i int) error {
		var err error
		if i == 0 {
			if status, err = s.client.SystemStatus(ctx, threecx.QueryOptions{}); err != nil {
				return fmt.Errorf("system status: %w", err)
			}
			return nil
		}
		if users, err = s.client.Users(ctx, queryOptions(r.config.Options)); err != nil {
			return fmt.Errorf("users: %w", err)
		}
		return nil
	})

	data := &reportData{}
	if status != nil {
		r.addSystemStatus(data, status)
	}
	if users != nil {
		if userErr := r.addUsers(data, users); userErr != nil {
			err = errors.Join(err, userErr)
		}
	}
	return data, err
}

// addSystemStatus sends the figures of the status. A field that is null gives no series.
func (r *statusReport) addSystemStatus(data *reportData, status *threecx.SystemStatus) {
	add := func(desc *prometheus.Desc, value *int32, labels ...string) {
		if value == nil {
			return
		}
		labels = append([]string{r.reportName}, labels...)
		data.metrics = append(data.metrics,
			prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(*value), labels...))
	}

	add(activeCallsDesc, status.CallsActive)
	add(maxSimultaneousCallsDesc, status.MaxSimCalls)
	add(extensionsDesc, status.ExtensionsRegistered, "registered")
	add(extensionsDesc, status.ExtensionsTotal, "total")
	add(trunksDesc, status.TrunksRegistered, "registered")
	add(trunksDesc, status.TrunksTotal, "total")
}

// addUsers sends the live state of each user. A user listed twice, which happens when the
// list changes between two pages, gives one set of series. A null field gives no series.
// It returns an error for users without a number, after adding the others.
func (r *statusReport) addUsers(data *reportData, users []threecx.User) error {
	seen := make(map[string]bool, len(users))
	missingNumber := 0
	for _, u := range users {
		if u.Number == "" {
			missingNumber++
			continue
		}
		if seen[u.Number] {
			continue
		}
		seen[u.Number] = true

		gauge := func(desc *prometheus.Desc, value float64, extraLabels ...string) {
			labels := append([]string{r.reportName, u.Number}, extraLabels...)
			data.metrics = append(data.metrics,
				prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, value, labels...))
		}
		if u.IsRegistered != nil {
			gauge(userRegisteredDesc, boolValue(*u.IsRegistered))
		}
		if u.QueueStatus != "" {
			gauge(userQueueLoggedInDesc, boolValue(u.QueueStatus == threecx.QueueStatusLoggedIn))
		}
		// NOTE: profiles can be renamed on the PBX, so the exporter cannot list the
		// profiles that are not current and gives only the current one a series.
		if u.CurrentProfileName != "" {
			gauge(userPresenceDesc, 1, u.CurrentProfileName)
		}
		data.addName("extension", u.Number, u.Name())
	}

	if missingNumber > 0 {
		return fmt.Errorf("users: %d of %d users have no Number", missingNumber, len(users))
	}
	return nil
}
