package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"

	"github.com/threecx-exporter/threecx_exporter/collector"
	"github.com/threecx-exporter/threecx_exporter/config"
	"github.com/threecx-exporter/threecx_exporter/threecx"
)

// downloadCommand is the download command: the rows of a User Activity report of a target,
// as the console exports them, written to stdout.
type downloadCommand struct {
	command  *kingpin.CmdClause
	target   string
	report   string
	from     string
	to       string
	format   string
	pageSize int
	timeout  time.Duration
}

func addDownloadCommand(app *kingpin.Application) *downloadCommand {
	d := &downloadCommand{}
	d.command = app.Command("download",
		"Download the rows of a user_activity report of a target with DownloadGetUserActivity, one request per"+
			" group and extension of the report, and write them to stdout. Progress goes to stderr when more than"+
			" one request is needed. It logs in with the target's client ID, so a running exporter with the same"+
			" client ID fetches a new token at its next scrape.")
	d.command.Arg("target", "Name of the target under targets in the config file.").Required().StringVar(&d.target)
	d.command.Arg("report", "Name of the user_activity report under reports in the config file.").Required().StringVar(&d.report)
	d.command.Flag("from", "Start of the window instead of the report's: RFC 3339 (2026-03-01T08:00:00Z),"+
		" or a date-time (2026-03-01T08:00) or date (2026-03-01) in the report's time zone.").StringVar(&d.from)
	d.command.Flag("to", "End of the window instead of the time of the download, in the forms of --from."+
		" Without --from, the window is the report's window ending at --to.").StringVar(&d.to)
	d.command.Flag("format", "Output format: csv or json.").Default("csv").EnumVar(&d.format, "csv", "json")
	d.command.Flag("page-size", "Rows per request, paged with $top and $skip; 0 fetches each group and extension in one request.").
		Default("0").IntVar(&d.pageSize)
	d.command.Flag("timeout", "Time limit of the whole download.").Default("5m").DurationVar(&d.timeout)
	return d
}

// run downloads the report with the config file, or with the demo's fake PBX and config
// when demo is set. It returns the exit status: 0 when the rows were written, 1 otherwise,
// with the error on stderr.
func (d *downloadCommand) run(logger *slog.Logger, configFile string, demo bool) int {
	if d.timeout <= 0 {
		logger.Error("invalid --timeout: want a positive duration such as 5m", "timeout", d.timeout)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()

	load := func() (*config.Config, error) {
		cfg, err := config.Load(configFile)
		if err != nil {
			return nil, fmt.Errorf("invalid config file %q: %w", configFile, err)
		}
		return cfg, nil
	}
	if demo {
		cfg, stopDemo, err := startDemo(logger)
		if err != nil {
			logger.Error("download failed", "err", err)
			return 1
		}
		defer stopDemo()
		load = func() (*config.Config, error) { return cfg, nil }
	}

	if err := d.download(ctx, load, os.Stdout, os.Stderr); err != nil {
		logger.Error("download failed", "target", d.target, "report", d.report, "err", err)
		return 1
	}
	return 0
}

// downloadRow is one bucket of the report, with the group or extension of its request.
type downloadRow struct {
	Group     string `json:"Group"`
	Extension string `json:"Extension"`
	threecx.UserActivity
}

func (d *downloadCommand) download(ctx context.Context, load func() (*config.Config, error), stdout, stderr io.Writer) error {
	cfg, err := load()
	if err != nil {
		return err
	}
	tc, rc, err := d.lookUp(cfg)
	if err != nil {
		return err
	}
	loc := tc.Location
	if rc.Location != nil {
		loc = rc.Location
	}
	from, to, err := d.window(rc.ParsedWindow, loc, time.Now())
	if err != nil {
		return err
	}

	client, err := collector.NewClient(tc, exporterName+"/"+version.Version)
	if err != nil {
		return err
	}

	queries := collector.UserActivityQueries(rc, loc, from, to)
	var rows []downloadRow
	for i, q := range queries {
		onProgress := progressPrinter(stderr, i, len(queries), q)
		activity, err := client.DownloadUserActivity(ctx, q, d.pageSize, onProgress)
		if err != nil {
			return fmt.Errorf("%s: %w", q.Subject(), err)
		}
		for _, a := range activity {
			rows = append(rows, downloadRow{Group: q.GroupNumber, Extension: q.ExtensionDN, UserActivity: a})
		}
	}

	if d.format == "json" {
		return writeJSONRows(stdout, rows)
	}
	return writeCSVRows(stdout, rows)
}

// lookUp returns the target and the report the command names. Unlike /probe, its errors
// list the configured names, because whoever runs it can read the config anyway.
func (d *downloadCommand) lookUp(cfg *config.Config) (*config.Target, *config.Report, error) {
	tc, ok := cfg.Targets[d.target]
	if !ok {
		return nil, nil, fmt.Errorf("unknown target %q: want one of %s", d.target, strings.Join(cfg.TargetNames(), ", "))
	}
	rc, ok := cfg.Reports[d.report]
	if !ok {
		return nil, nil, fmt.Errorf("unknown report %q: want one of %s", d.report, strings.Join(cfg.ReportNames(), ", "))
	}
	if rc.Type != config.TypeUserActivity {
		return nil, nil, fmt.Errorf("report %q is of type %s: download takes a report of type %s",
			d.report, rc.Type, config.TypeUserActivity)
	}
	return tc, rc, nil
}

// window returns the report's window at now, with --from and --to applied.
func (d *downloadCommand) window(w config.Window, loc *time.Location, now time.Time) (time.Time, time.Time, error) {
	end := now
	if d.to != "" {
		t, err := parseTimeFlag(d.to, loc)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--to: %w", err)
		}
		end = t
	}
	from, to := w.Range(end, loc)
	if d.from != "" {
		t, err := parseTimeFlag(d.from, loc)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--from: %w", err)
		}
		from = t.UTC()
	}
	if !from.Before(to) {
		return time.Time{}, time.Time{}, fmt.Errorf("invalid window from %s to %s: the start must be before the end",
			from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return from, to, nil
}

// localTimeLayouts are the forms of --from and --to without an offset, read in the report's
// time zone. A date alone is the start of that day.
var localTimeLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04"}

func parseTimeFlag(value string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		return t, nil
	}
	if date, err := time.Parse("2006-01-02", value); err == nil {
		return config.StartOfDay(date.Year(), date.Month(), date.Day(), loc), nil
	}
	for _, layout := range localTimeLayouts {
		if t, err := time.ParseInLocation(layout, value, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want RFC 3339 such as 2026-03-01T08:00:00Z,"+
		" or a date-time such as 2026-03-01T08:00 or a date such as 2026-03-01 in %s", value, loc)
}

// progressPrinter returns the progress callback of query i of n. It prints a line per
// request once the download needs more than one request.
func progressPrinter(w io.Writer, i, n int, q threecx.UserActivityQuery) func(threecx.DownloadProgress) {
	return func(p threecx.DownloadProgress) {
		if n == 1 && p.Requests == 1 && p.Total <= int64(p.Rows) {
			return
		}
		total := ""
		if p.Total >= 0 {
			total = fmt.Sprintf(" of %d", p.Total)
		}
		fmt.Fprintf(w, "[%d/%d] %s: request %d, %d%s rows\n", i+1, n, q.Subject(), p.Requests, p.Rows, total)
	}
}

var csvHeader = []string{"Group", "Extension", "DateTimeInterval", "AnsweredCount", "UnansweredCount"}

func writeCSVRows(w io.Writer, rows []downloadRow) error {
	out := csv.NewWriter(w)
	if err := out.Write(csvHeader); err != nil {
		return err
	}
	for _, r := range rows {
		record := []string{
			r.Group, r.Extension, r.DateTimeInterval,
			strconv.FormatInt(r.AnsweredCount, 10), strconv.FormatInt(r.UnansweredCount, 10),
		}
		if err := out.Write(record); err != nil {
			return err
		}
	}
	out.Flush()
	return out.Error()
}

func writeJSONRows(w io.Writer, rows []downloadRow) error {
	if rows == nil {
		rows = []downloadRow{}
	}
	encoder := json.NewEncoder(w)
	encoder.SetIndent("", "  ")
	return encoder.Encode(rows)
}
