package config

import (
	"testing"
	"time"
)

// TestWindowRangeTodayMidnightGap checks "today" in zones whose clocks jump forward at
// midnight, where 00:00 does not exist and the day starts at 01:00 after the jump.
func TestWindowRangeTodayMidnightGap(t *testing.T) {
	tests := []struct {
		zone string
		// year, month and day are the date of the jump; the scrape is at noon local.
		year  int
		month time.Month
		day   int
		// wantFrom is 01:00 local after the jump, in UTC.
		wantFrom time.Time
	}{
		// Chile moved from -04 to -03 at 00:00 on 2024-09-08.
		{"America/Santiago", 2024, time.September, 8, time.Date(2024, 9, 8, 4, 0, 0, 0, time.UTC)},
		// Cuba moved from -05 to -04 at 00:00 on 2024-03-10.
		{"America/Havana", 2024, time.March, 10, time.Date(2024, 3, 10, 5, 0, 0, 0, time.UTC)},
		// Paraguay moved from -04 to -03 at 00:00 on 2023-10-01.
		{"America/Asuncion", 2023, time.October, 1, time.Date(2023, 10, 1, 4, 0, 0, 0, time.UTC)},
		// Lebanon moved from +02 to +03 at 00:00 on 2024-03-31.
		{"Asia/Beirut", 2024, time.March, 31, time.Date(2024, 3, 30, 22, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			loc := mustLocation(t, tt.zone)
			now := time.Date(tt.year, tt.month, tt.day, 12, 0, 0, 0, loc)

			from, _ := Window{Today: true}.Range(now, loc)
			if !from.Equal(tt.wantFrom) {
				t.Errorf("from = %s (%s local), want %s", from, from.In(loc), tt.wantFrom)
			}
			if y, m, d := from.In(loc).Date(); y != tt.year || m != tt.month || d != tt.day {
				t.Errorf("from is on %04d-%02d-%02d local, want the scrape's date", y, m, d)
			}
		})
	}
}

// TestWindowRangeTodayStartsTheDay checks every day of two years in zones with 30- and
// 45-minute offsets and with southern-hemisphere or midnight clock changes. "today" must
// start on the scrape's local date, and the nanosecond before it on the day before.
func TestWindowRangeTodayStartsTheDay(t *testing.T) {
	zones := []string{
		"Asia/Kolkata", "Asia/Kathmandu", "Australia/Sydney", "Australia/Lord_Howe",
		"America/Santiago", "America/Havana", "America/Asuncion", "Asia/Beirut",
		"Europe/Berlin", "America/St_Johns", "Pacific/Chatham",
	}
	for _, zone := range zones {
		t.Run(zone, func(t *testing.T) {
			loc := mustLocation(t, zone)
			for day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 2026; day = day.AddDate(0, 0, 1) {
				// 18:00 local is well inside the day on any date.
				now := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, loc)
				from, _ := Window{Today: true}.Range(now, loc)

				wantY, wantM, wantD := now.Date()
				if y, m, d := from.In(loc).Date(); y != wantY || m != wantM || d != wantD {
					t.Errorf("scrape at %s: from %s is on %04d-%02d-%02d", now, from.In(loc), y, m, d)
					continue
				}
				before := from.Add(-time.Nanosecond).In(loc)
				if _, _, d := before.Date(); d == wantD {
					t.Errorf("scrape at %s: from %s is not the first instant of the day", now, from.In(loc))
				}
			}
		})
	}
}
