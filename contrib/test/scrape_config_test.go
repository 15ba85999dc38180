package test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/threecx-exporter/threecx_exporter/config"
)

const readmePath = "../../README.md"

// prometheusDefaultScrapeTimeout is the scrape_timeout Prometheus uses when neither the job
// nor the global section sets one.
const prometheusDefaultScrapeTimeout = 10 * time.Second

// scrapeExample is the part of a Prometheus config the checks of the examples read.
type scrapeExample struct {
	Global struct {
		ScrapeTimeout string `yaml:"scrape_timeout"`
	} `yaml:"global"`
	ScrapeConfigs []scrapeJob `yaml:"scrape_configs"`
}

type scrapeJob struct {
	JobName        string `yaml:"job_name"`
	MetricsPath    string `yaml:"metrics_path"`
	ScrapeTimeout  string `yaml:"scrape_timeout"`
	RelabelConfigs []struct {
		SourceLabels []string `yaml:"source_labels"`
		TargetLabel  string   `yaml:"target_label"`
		Action       string   `yaml:"action"`
	} `yaml:"relabel_configs"`
}

// yamlBlock matches a fenced YAML block of a Markdown file and captures its text.
var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// scrapeExamples returns the example Prometheus configs, keyed by where they are: the
// example file and every YAML block of the README that defines a scrape job.
func scrapeExamples(t *testing.T) map[string]string {
	t.Helper()
	examples := map[string]string{}
	data, err := os.ReadFile(exampleConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	examples[exampleConfigPath] = string(data)

	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, m := range yamlBlock.FindAllSubmatchIndex(readme, -1) {
		block := string(readme[m[2]:m[3]])
		if !strings.Contains(block, "job_name:") {
			continue
		}
		blocks++
		line := 1 + bytes.Count(readme[:m[0]], []byte("\n"))
		examples[fmt.Sprintf("%s line %d", readmePath, line)] = block
	}
	if blocks == 0 {
		t.Fatalf("%s has no YAML block with a scrape job", readmePath)
	}
	return examples
}

// TestScrapeExamples checks each scrape job of the example configs: a /probe job sets the
// target label, which the rules and the dashboard select on, before it replaces the
// address with the exporter's. No job allows a longer scrape than the exporter's default
// target timeout, at which the exporter stops anyway.
func TestScrapeExamples(t *testing.T) {
	for name, text := range scrapeExamples(t) {
		t.Run(name, func(t *testing.T) {
			var example scrapeExample
			if err := yaml.Unmarshal([]byte(text), &example); err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(example.ScrapeConfigs) == 0 {
				t.Fatal("the example has no scrape_configs")
			}
			for _, job := range example.ScrapeConfigs {
				if job.MetricsPath == "/probe" {
					checkProbeRelabeling(t, job)
				}
				checkScrapeTimeout(t, job, example.Global.ScrapeTimeout)
			}
		})
	}
}

// checkProbeRelabeling requires a /probe job to copy the target name from the address
// into the target parameter and the target label, before a rule replaces the address.
func checkProbeRelabeling(t *testing.T, job scrapeJob) {
	t.Helper()
	param, label := -1, -1
	address := len(job.RelabelConfigs)
	for i, r := range job.RelabelConfigs {
		if r.Action != "" && r.Action != "replace" {
			continue
		}
		switch {
		case r.TargetLabel == "__param_target" && slices.Equal(r.SourceLabels, []string{"__address__"}):
			param = i
		case r.TargetLabel == "target" && (slices.Equal(r.SourceLabels, []string{"__address__"}) ||
			slices.Equal(r.SourceLabels, []string{"__param_target"})):
			label = i
		case r.TargetLabel == "__address__":
			address = min(address, i)
		}
	}
	if param < 0 || param > address {
		t.Errorf("job %s: no relabel rule copies __address__ into __param_target before the address is replaced", job.JobName)
	}
	if label < 0 || label > address {
		t.Errorf("job %s: no relabel rule sets the target label from __address__ or __param_target before the address is replaced",
			job.JobName)
	}
}

// checkScrapeTimeout requires the job's scrape_timeout, or the one it inherits, to be no
// longer than the exporter's default target timeout.
func checkScrapeTimeout(t *testing.T, job scrapeJob, global string) {
	t.Helper()
	timeout := prometheusDefaultScrapeTimeout
	for _, s := range []string{global, job.ScrapeTimeout} {
		if s == "" {
			continue
		}
		d, err := model.ParseDuration(s)
		if err != nil {
			t.Errorf("job %s: invalid scrape_timeout %q: %v", job.JobName, s, err)
			return
		}
		timeout = time.Duration(d)
	}
	if limit := time.Duration(config.DefaultTimeout); timeout > limit {
		t.Errorf("job %s: scrape_timeout %s is above the exporter's default target timeout %s, at which the exporter ends the scrape",
			job.JobName, timeout, limit)
	}
}
