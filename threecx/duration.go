package threecx

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Duration is an ISO 8601 duration as the XAPI writes it, such as "PT31.015254S" or
// "P5DT13H43M24.960179S". The empty string stands for a field the PBX left out.
type Duration string

// Seconds parses d with ParseDuration. An empty d is 0, because 3CX leaves a duration out
// of a row when it is zero.
func (d Duration) Seconds() (float64, error) {
	if d == "" {
		return 0, nil
	}
	return ParseDuration(string(d))
}

// designator is one component of a duration: its letter and its length in seconds.
type designator struct {
	letter  byte
	seconds int64
}

// The components 3CX writes, in the order ISO 8601 puts them. The XAPI's schema allows no
// years, months or weeks, whose length in seconds is not fixed anyway.
var (
	dateDesignators = []designator{{'D', 86400}}
	timeDesignators = []designator{{'H', 3600}, {'M', 60}, {'S', 1}}
)

// maxQuotedValue is how much of an invalid value an error message quotes.
const maxQuotedValue = 64

// ParseDuration converts an ISO 8601 duration of the form the XAPI's schema allows,
// [-]P[nD][T[nH][nM][n[.f]S]], to seconds. It adds the components up as integers and
// converts to float64 once at the end, so the result is the float64 nearest to the exact
// value. It rejects "P" and "PT" with nothing after them, years, months and weeks,
// fractions other than of seconds, and totals above math.MaxInt64 seconds.
func ParseDuration(s string) (float64, error) {
	seconds, err := parseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid ISO 8601 duration %s: %w", quoteValue(s), err)
	}
	return seconds, nil
}

func parseDuration(s string) (float64, error) {
	rest, negative := strings.CutPrefix(s, "-")
	rest, ok := strings.CutPrefix(rest, "P")
	if !ok {
		return 0, errors.New(`want "P" at the start, after an optional "-"`)
	}
	datePart, timePart, hasTime := strings.Cut(rest, "T")
	if datePart == "" && !hasTime {
		return 0, errors.New(`"P" must be followed by at least one component`)
	}
	if hasTime && timePart == "" {
		return 0, errors.New(`"T" must be followed by at least one component`)
	}

	var total int64
	var fraction string
	if err := addComponents(datePart, dateDesignators, &total, nil); err != nil {
		return 0, err
	}
	if err := addComponents(timePart, timeDesignators, &total, &fraction); err != nil {
		return 0, err
	}

	// ParseFloat rounds the exact decimal once, which adding a float fraction would not.
	decimal := strconv.FormatInt(total, 10)
	if fraction != "" {
		decimal += "." + fraction
	}
	value, err := strconv.ParseFloat(decimal, 64)
	if err != nil {
		return 0, err
	}
	if negative && value != 0 {
		value = -value
	}
	return value, nil
}

// addComponents adds the components of part, each a number and one of the designators in
// their order, to total in seconds. The last designator may carry a fraction, which is
// stored in fraction when fraction is not nil.
func addComponents(part string, designators []designator, total *int64, fraction *string) error {
	next := 0
	for part != "" {
		digits, frac, letter, rest, err := cutComponent(part)
		if err != nil {
			return err
		}
		part = rest

		index := designatorIndex(designators[next:], letter)
		if index < 0 {
			return unexpectedDesignator(letter, designators)
		}
		next += index
		d := designators[next]
		next++

		if frac != "" {
			if fraction == nil || next != len(designators) {
				return fmt.Errorf("a fraction is allowed only on seconds, not on %c", d.letter)
			}
			*fraction = frac
		}
		if err := addScaled(total, digits, d.seconds); err != nil {
			return err
		}
	}
	return nil
}

// cutComponent splits the component at the start of part into its integer digits, its
// fraction digits (without the dot), its designator letter and the rest of part.
func cutComponent(part string) (digits, fraction string, letter byte, rest string, err error) {
	i := countDigits(part)
	if i == 0 {
		return "", "", 0, "", fmt.Errorf("want digits before %s", describeAt(part, 0))
	}
	digits = part[:i]

	if i < len(part) && part[i] == '.' {
		j := i + 1 + countDigits(part[i+1:])
		if j == i+1 {
			return "", "", 0, "", errors.New(`want digits after "."`)
		}
		fraction = part[i+1 : j]
		i = j
	}
	if i == len(part) {
		return "", "", 0, "", fmt.Errorf("the number %q has no designator letter", part)
	}
	return digits, fraction, part[i], part[i+1:], nil
}

func countDigits(s string) int {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

func designatorIndex(designators []designator, letter byte) int {
	for i, d := range designators {
		if d.letter == letter {
			return i
		}
	}
	return -1
}

func unexpectedDesignator(letter byte, designators []designator) error {
	switch {
	case letter == 'Y' || letter == 'W' || letter == 'M' && designators[0].letter == 'D':
		return fmt.Errorf("years, months and weeks (%c) are not supported: the XAPI writes"+
			" days and smaller units only", letter)
	case designatorIndex(dateDesignators, letter) >= 0 || designatorIndex(timeDesignators, letter) >= 0:
		return fmt.Errorf("designator %c is repeated, out of order or on the wrong side of T", letter)
	}
	return fmt.Errorf("unknown designator %s", describeAt(string([]byte{letter}), 0))
}

// addScaled adds digits times unit to total, failing on overflow of int64.
func addScaled(total *int64, digits string, unit int64) error {
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt64/unit || n*unit > math.MaxInt64-*total {
		return fmt.Errorf("the total exceeds %d seconds", int64(math.MaxInt64))
	}
	*total += n * unit
	return nil
}

// describeAt names the byte of s at i for an error message.
func describeAt(s string, i int) string {
	if i >= len(s) {
		return "the end"
	}
	return strconv.Quote(s[i : i+1])
}

// quoteValue quotes s for an error message, cut to maxQuotedValue bytes.
func quoteValue(s string) string {
	if len(s) <= maxQuotedValue {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuotedValue]) + "..."
}
