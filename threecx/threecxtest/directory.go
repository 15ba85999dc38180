// Package threecxtest is a fake 3CX v20 PBX for tests and the exporter's demo. It answers
// the XAPI requests the exporter makes from a synthetic directory and a call log derived
// from it, and it is as strict as a real PBX where real PBXs are known to be strict.
package threecxtest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// DefaultGroup is the default department of a 3CX PBX, which holds every extension.
const DefaultGroup = "GRP0000"

// Group is a department.
type Group struct {
	Number string
	Name   string
}

// Queue is a call queue and the extensions that are its agents.
type Queue struct {
	Number string
	Name   string
	Agents []string
	// SLATime is the queue's service level target in seconds.
	SLATime int
	// CallsPerHour is the mean number of calls per hour that the call log sends to the
	// queue besides the queue calls among its agents' own calls. Each one waits in the
	// queue, some past SLATime, and goes to an agent whose CallsPerHour is above zero.
	CallsPerHour float64
}

// Extension is a user's extension with its live state.
type Extension struct {
	Number string
	Name   string
	// Groups are the groups the extension belongs to besides DefaultGroup.
	Groups []string
	// CallsPerHour is the mean number of calls per hour the call log gives the extension,
	// besides those of queues with a CallsPerHour of their own. At zero the extension
	// gets no call at all.
	CallsPerHour  float64
	Registered    bool
	QueueLoggedIn bool
	// Profile is the current presence profile, such as Available or Away.
	Profile string
}

// Directory is the data of the fake PBX: groups, extensions, queues and the system's
// figures.
type Directory struct {
	Groups     []Group
	Extensions []Extension
	Queues     []Queue
	System     System
	Trunks     []Trunk
	Services   []Service
	SBCs       []SBC
}

// System holds the figures of /SystemStatus that do not follow from the extensions and
// the call log. Its dates are relative to the fake's clock at each request, so a demo
// that runs for months never shows an expired licence or an old backup.
type System struct {
	Version           string
	MaxSimCalls       int
	MaxUserExtensions int
	LicenseActive     bool
	// LicenseValidDays and MaintenanceValidDays are the days from the UTC date of the
	// fake's clock until the licence and the maintenance expire, at 00:00 UTC.
	LicenseValidDays     int
	MaintenanceValidDays int
	// FreeDiskSpace, TotalDiskSpace and the recording figures are in bytes.
	FreeDiskSpace      int64
	TotalDiskSpace     int64
	RecordingUsedSpace int64
	RecordingQuota     int64
	// BackupScheduled is whether a backup runs every day at BackupHour o'clock in the time
	// zone of the fake's clock. The last backup is the latest of those times at or before
	// the clock, and without a schedule there is none.
	BackupScheduled bool
	BackupHour      int
}

// demoSystem returns the system figures of a PBX licensed for maxCalls simultaneous calls.
func demoSystem(maxCalls int) System {
	return System{
		Version:              "20.0.10.1024",
		MaxSimCalls:          maxCalls,
		MaxUserExtensions:    maxCalls * 10,
		LicenseActive:        true,
		LicenseValidDays:     365,
		MaintenanceValidDays: 200,
		FreeDiskSpace:        48 << 30,
		TotalDiskSpace:       64 << 30,
		RecordingUsedSpace:   3 << 30,
		RecordingQuota:       10 << 30,
		BackupScheduled:      true,
		BackupHour:           2,
	}
}

// DemoDirectory returns a small call centre: two groups, two queues and eight extensions,
// one of which (105) is logged into a queue and registered but never gets a call. The
// queues receive calls of their own, so that callers wait in them most minutes.
func DemoDirectory() Directory {
	return Directory{
		Groups: []Group{
			{Number: DefaultGroup, Name: "DEFAULT"},
			{Number: "GRP0001", Name: "Sales"},
			{Number: "GRP0002", Name: "Support"},
		},
		Queues: []Queue{
			{Number: "800", Name: "Sales queue", Agents: []string{"101", "102", "103"}, SLATime: 20, CallsPerHour: 45},
			{Number: "801", Name: "Support queue", Agents: []string{"104", "105", "106"}, SLATime: 30, CallsPerHour: 30},
		},
		System:   demoSystem(8),
		Trunks:   demoTrunks(),
		Services: demoServices(),
		SBCs:     demoSBCs(),
		Extensions: []Extension{
			{Number: "100", Name: "Reception", CallsPerHour: 6, Registered: true, Profile: "Available"},
			{Number: "101", Name: "Zoë O'Brien", Groups: []string{"GRP0001"}, CallsPerHour: 4,
				Registered: true, QueueLoggedIn: true, Profile: "Available"},
			{Number: "102", Name: "José \"Pepe\" García", Groups: []string{"GRP0001"}, CallsPerHour: 3,
				Registered: true, QueueLoggedIn: true, Profile: "Away"},
			{Number: "103", Name: "Anna Schmidt", Groups: []string{"GRP0001"}, CallsPerHour: 2,
				Registered: false, QueueLoggedIn: false, Profile: "Out of office"},
			{Number: "104", Name: "Björn Ødegård", Groups: []string{"GRP0002"}, CallsPerHour: 5,
				Registered: true, QueueLoggedIn: true, Profile: "Available"},
			{Number: "105", Name: "Idle Agent", Groups: []string{"GRP0002"}, CallsPerHour: 0,
				Registered: true, QueueLoggedIn: true, Profile: "Available"},
			{Number: "106", Name: "Chen Wei", Groups: []string{"GRP0002"}, CallsPerHour: 3,
				Registered: true, QueueLoggedIn: false, Profile: "Lunch"},
			{Number: "107", Name: "Night Shift", CallsPerHour: 1, Registered: false, Profile: "Available"},
		},
	}
}

// GeneratedDirectory returns n extensions numbered from 1000, spread over groups of 50
// and queues of 10 agents, for load tests and benchmarks.
func GeneratedDirectory(n int) Directory {
	d := Directory{Groups: []Group{{Number: DefaultGroup, Name: "DEFAULT"}}, System: demoSystem(max(8, n/4))}
	for i := 0; i < n; i++ {
		number := fmt.Sprint(1000 + i)
		group := fmt.Sprintf("GRP%04d", 1+i/50)
		if i%50 == 0 {
			d.Groups = append(d.Groups, Group{Number: group, Name: "Team " + group})
		}
		if i%10 == 0 {
			d.Queues = append(d.Queues, Queue{Number: fmt.Sprint(8000 + i/10), Name: fmt.Sprintf("Queue %d", i/10), SLATime: 20})
		}
		queue := &d.Queues[len(d.Queues)-1]
		queue.Agents = append(queue.Agents, number)
		d.Extensions = append(d.Extensions, Extension{
			Number: number, Name: "Agent " + number, Groups: []string{group}, CallsPerHour: 3,
			Registered: i%7 != 0, QueueLoggedIn: i%3 != 0, Profile: "Available",
		})
	}
	return d
}

// Members returns the numbers of the extensions in group, sorted. DefaultGroup and ""
// hold every extension.
func (d *Directory) Members(group string) []string {
	var members []string
	for _, e := range d.Extensions {
		if group == "" || group == DefaultGroup || contains(e.Groups, group) {
			members = append(members, e.Number)
		}
	}
	sort.Strings(members)
	return members
}

// Extension returns the extension with the number, or false.
func (d *Directory) Extension(number string) (Extension, bool) {
	for _, e := range d.Extensions {
		if e.Number == number {
			return e, true
		}
	}
	return Extension{}, false
}

// HasGroup reports whether the group number exists.
func (d *Directory) HasGroup(number string) bool {
	for _, g := range d.Groups {
		if g.Number == number {
			return true
		}
	}
	return false
}

// queuesOf returns the numbers of the queues the extension is an agent of.
func (d *Directory) queuesOf(number string) []string {
	var queues []string
	for _, q := range d.Queues {
		if contains(q.Agents, number) {
			queues = append(queues, q.Number)
		}
	}
	return queues
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Call is one call in the synthetic call log.
type Call struct {
	Start time.Time
	// Extension is the extension that took or made the call.
	Extension string
	// Queue is the queue the call came through, or "".
	Queue    string
	Inbound  bool
	External bool
	Answered bool
	Ring     time.Duration
	// Talk is zero when the call was not answered.
	Talk time.Duration
	// Caller is the other party's number. It must never reach a metric or a log.
	Caller string
	// Callback is whether a queue call was returned by a callback, which only queue calls
	// can be.
	Callback bool
}

// CallLog derives calls from a directory. The same directory and minute always give the
// same calls, so tests and the fake agree without sharing state, and the log grows as the
// clock moves on.
type CallLog struct {
	Directory *Directory
}

// Calls returns the calls of the extensions in numbers that start in [from, to), in order
// of start time and then extension.
func (l CallLog) Calls(numbers []string, from, to time.Time) []Call {
	var calls []Call
	for _, number := range numbers {
		calls = append(calls, l.extensionCalls(number, from, to)...)
	}
	for _, q := range l.Directory.Queues {
		calls = append(calls, l.queueCalls(q, numbers, from, to)...)
	}
	sort.SliceStable(calls, func(i, j int) bool {
		if !calls[i].Start.Equal(calls[j].Start) {
			return calls[i].Start.Before(calls[j].Start)
		}
		return calls[i].Extension < calls[j].Extension
	})
	return calls
}

// extensionCalls returns the extension's own calls that start in [from, to).
func (l CallLog) extensionCalls(number string, from, to time.Time) []Call {
	ext, ok := l.Directory.Extension(number)
	if !ok || ext.CallsPerHour <= 0 {
		return nil
	}
	var calls []Call
	queues := l.Directory.queuesOf(number)
	for minute := from.Truncate(time.Minute); minute.Before(to); minute = minute.Add(time.Minute) {
		call, ok := callInMinute(ext, queues, minute)
		if ok && !call.Start.Before(from) && call.Start.Before(to) {
			calls = append(calls, call)
		}
	}
	return calls
}

// queueCalls returns queue q's own calls that start in [from, to) and go to an extension
// in numbers.
func (l CallLog) queueCalls(q Queue, numbers []string, from, to time.Time) []Call {
	if q.CallsPerHour <= 0 {
		return nil
	}
	var agents []string
	for _, number := range q.Agents {
		if ext, ok := l.Directory.Extension(number); ok && ext.CallsPerHour > 0 {
			agents = append(agents, number)
		}
	}
	if !slices.ContainsFunc(agents, func(a string) bool { return contains(numbers, a) }) {
		return nil
	}

	var calls []Call
	for minute := from.Truncate(time.Minute); minute.Before(to); minute = minute.Add(time.Minute) {
		call, ok := queueCallInMinute(q, agents, minute)
		if ok && contains(numbers, call.Extension) && !call.Start.Before(from) && call.Start.Before(to) {
			calls = append(calls, call)
		}
	}
	return calls
}

// AllCalls returns the calls of every extension that start in [from, to).
func (l CallLog) AllCalls(from, to time.Time) []Call {
	return l.Calls(l.Directory.Members(""), from, to)
}

func callInMinute(ext Extension, queues []string, minute time.Time) (Call, bool) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", ext.Number, minute.Unix())
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x3cc))

	if rng.Float64() >= ext.CallsPerHour/60 {
		return Call{}, false
	}

	call := Call{
		Start:     minute.Add(time.Duration(rng.IntN(60_000)) * time.Millisecond),
		Extension: ext.Number,
		Inbound:   rng.IntN(10) < 7,
		External:  rng.IntN(10) < 6,
		Answered:  rng.IntN(10) < 8,
		Ring:      time.Duration(2+rng.IntN(28))*time.Second + time.Duration(rng.IntN(1_000_000))*time.Microsecond,
		Caller:    fmt.Sprintf("+4930%07d", rng.IntN(10_000_000)),
	}
	if call.Inbound && call.External && len(queues) > 0 && rng.IntN(2) == 0 {
		call.Queue = queues[rng.IntN(len(queues))]
	}
	if call.Answered {
		call.Talk = time.Duration(5+rng.IntN(900))*time.Second + time.Duration(rng.IntN(1_000_000))*time.Microsecond
	}
	// Drawn last, so that the fields above stay what they were before callbacks existed.
	if call.Queue != "" {
		call.Callback = rng.IntN(5) == 0
	}
	return call, true
}

// queueCallInMinute returns queue q's own call in the minute, if any, taken by one of
// agents, none of which may be an extension without calls. Seven in eight
// callers wait 3 to 15 seconds, within every demo queue's SLA time, and the others 20
// seconds to 4 minutes. One in ten hangs up while waiting, and a call that an agent
// answers lasts 15 seconds to 2.5 minutes.
func queueCallInMinute(q Queue, agents []string, minute time.Time) (Call, bool) {
	h := fnv.New64a()
	fmt.Fprintf(h, "queue/%s/%d", q.Number, minute.Unix())
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x3cc))

	if rng.Float64() >= q.CallsPerHour/60 {
		return Call{}, false
	}

	call := Call{
		Start:     minute.Add(time.Duration(rng.IntN(60_000)) * time.Millisecond),
		Extension: agents[rng.IntN(len(agents))],
		Queue:     q.Number,
		Inbound:   true,
		External:  true,
		Answered:  rng.IntN(10) != 0,
		Caller:    fmt.Sprintf("+4989%07d", rng.IntN(10_000_000)),
		Callback:  rng.IntN(10) == 0,
	}
	call.Ring = 3*time.Second + time.Duration(rng.IntN(12_000_000))*time.Microsecond
	if rng.IntN(8) == 0 {
		call.Ring = 20*time.Second + time.Duration(rng.IntN(220_000_000))*time.Microsecond
	}
	if call.Answered {
		call.Talk = 15*time.Second + time.Duration(rng.IntN(135_000_000))*time.Microsecond
	}
	return call, true
}
