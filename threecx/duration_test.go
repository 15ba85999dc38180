package threecx

import (
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		// The expected values are Go constant expressions, which are exact until they are
		// rounded to float64 once, the way ParseDuration must round.
		{"PT0S", 0},
		{"PT31.015254S", 31.015254},
		{"PT5H4M59S", 5*3600 + 4*60 + 59},
		{"P21DT14H28M28S", 21*86400 + 14*3600 + 28*60 + 28},
		{"P5DT13H43M24.960179S", 5*86400 + 13*3600 + 43*60 + 24.960179},
		{"P5DT13H43M24.9601791S", 5*86400 + 13*3600 + 43*60 + 24.9601791},
		{"PT0.1S", 0.1},
		{"PT0.0000001S", 0.0000001},
		{"P1D", 86400},
		{"P0D", 0},
		{"PT1H", 3600},
		{"PT1M", 60},
		{"PT90M", 90 * 60},
		{"PT100000S", 100000},
		{"P1DT1S", 86400 + 1},
		{"PT007S", 7},
		{"PT1.500S", 1.5},
		{"-PT1.5S", -1.5},
		{"-P2DT3H", -(2*86400 + 3*3600)},
		{"PT9223372036854775807S", math.MaxInt64},
		{"P106751991167300D", 106751991167300 * 86400},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err != nil {
				t.Fatalf("ParseDuration(%q) failed: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseDuration(%q) = %.17g, want %.17g", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDurationNegativeZero(t *testing.T) {
	got, err := ParseDuration("-PT0S")
	if err != nil {
		t.Fatal(err)
	}
	if math.Signbit(got) {
		t.Errorf("ParseDuration(%q) = -0, want +0", "-PT0S")
	}
}

func TestParseDurationRejects(t *testing.T) {
	tests := []struct {
		in string
		// reason is the part of the error message that states what is wrong.
		reason string
	}{
		{"", `want "P"`},
		{"0", `want "P"`},
		{"31.5", `want "P"`},
		{"P", `"P" must be followed`},
		{"-P", `"P" must be followed`},
		{"PT", `"T" must be followed`},
		{"P1DT", `"T" must be followed`},
		{"P1Y", "years, months and weeks"},
		{"P1M", "years, months and weeks"},
		{"P2W", "years, months and weeks"},
		{"P1Y2M3DT4H", "years, months and weeks"},
		{"PT1H1H", "repeated, out of order"},
		{"PT1S1M", "repeated, out of order"},
		{"P1D2D", "repeated, out of order"},
		{"PT1D", "repeated, out of order"},
		{"P1H", "repeated, out of order"},
		{"P1S", "repeated, out of order"},
		{"PT1.5M", "a fraction is allowed only on seconds"},
		{"PT1.5H", "a fraction is allowed only on seconds"},
		{"P1.5D", "a fraction is allowed only on seconds"},
		{"PT1", "no designator letter"},
		{"PT1.5", "no designator letter"},
		{"PT1S2", "no designator letter"},
		{"PTS", "want digits"},
		{"PT.5S", "want digits"},
		{"PT1.S", `want digits after "."`},
		{"PT1,5S", "unknown designator"},
		{"PT-1S", "want digits"},
		{"--PT1S", `want "P"`},
		{"+PT1S", `want "P"`},
		{"pt1s", `want "P"`},
		{"PT1s", "unknown designator"},
		{" PT1S", `want "P"`},
		{"PT1S ", "want digits"},
		{"PT1HT1M", "want digits"},
		{"PT1×S", "unknown designator"},
		{"PT9223372036854775808S", "exceeds"},
		{"P106751991167301D", "exceeds"},
		{"P106751991167300DT86400S", "exceeds"},
		{"PT99999999999999999999999S", "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %g, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), quoteValue(tt.in)) {
				t.Errorf("error %q does not name the value %q", err, tt.in)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not contain %q", err, tt.reason)
			}
		})
	}
}

func TestParseDurationLongValueQuotedShort(t *testing.T) {
	in := "PT" + strings.Repeat("1", 1000) + "X"
	_, err := ParseDuration(in)
	if err == nil {
		t.Fatal("want an error")
	}
	if len(err.Error()) > 300 {
		t.Errorf("error is %d bytes long, want the value cut short: %q", len(err.Error()), err)
	}
}

func TestDurationSeconds(t *testing.T) {
	tests := []struct {
		name    string
		in      Duration
		want    float64
		wantErr bool
	}{
		{"missing field", "", 0, false},
		{"value", "PT1M0.5S", 60.5, false},
		{"invalid", "1:00", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Seconds()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Seconds() error = %v, want error %t", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Seconds() = %g, want %g", got, tt.want)
			}
		})
	}
}

// specDurationPattern is the pattern of the XAPI's schema for durations.
var specDurationPattern = regexp.MustCompile(
	`^(-?)P(?:([0-9]+)D)?(T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:[.]([0-9]+))?S)?)?$`)

// referenceSeconds computes the value of s exactly with big.Rat, for comparison with
// ParseDuration. ok is false when s does not fit the schema's pattern or has no component.
func referenceSeconds(s string) (value *big.Rat, negative, ok bool) {
	m := specDurationPattern.FindStringSubmatch(s)
	if m == nil || m[2] == "" && m[3] == "" || m[3] == "T" {
		return nil, false, false
	}

	total := new(big.Rat)
	units := []struct {
		digits string
		scale  int64
	}{{m[2], 86400}, {m[4], 3600}, {m[5], 60}, {m[6], 1}}
	for _, u := range units {
		if u.digits == "" {
			continue
		}
		n, _ := new(big.Int).SetString(u.digits, 10)
		total.Add(total, new(big.Rat).SetInt(n.Mul(n, big.NewInt(u.scale))))
	}
	if m[7] != "" {
		numerator, _ := new(big.Int).SetString(m[7], 10)
		denominator := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(m[7]))), nil)
		total.Add(total, new(big.Rat).SetFrac(numerator, denominator))
	}
	return total, m[1] == "-", true
}

func FuzzParseDuration(f *testing.F) {
	for _, seed := range []string{
		"PT0S", "PT31.015254S", "P5DT13H43M24.960179S", "P21DT14H28M28S", "-PT1.5S",
		"P", "PT", "P1Y", "PT1.5M", "P106751991167301D",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDuration(s)
		exact, negative, ok := referenceSeconds(s)
		if !ok {
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %g, want an error: the value does not fit the pattern", s, got)
			}
			return
		}

		whole := new(big.Int).Quo(exact.Num(), exact.Denom())
		if whole.Cmp(big.NewInt(math.MaxInt64)) > 0 {
			if err == nil {
				t.Fatalf("ParseDuration(%q) = %g, want an overflow error", s, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseDuration(%q) failed: %v", s, err)
		}

		want, _ := exact.Float64()
		if negative {
			want = -want
		}
		// ParseDuration returns +0 for "-PT0S", so the reference does too.
		if want == 0 {
			want = math.Copysign(0, 1)
		}
		if got != want || math.Signbit(got) != math.Signbit(want) {
			t.Errorf("ParseDuration(%q) = %.17g, want %.17g", s, got, want)
		}
	})
}

func BenchmarkParseDuration(b *testing.B) {
	for b.Loop() {
		if _, err := ParseDuration("P5DT13H43M24.960179S"); err != nil {
			b.Fatal(err)
		}
	}
}
