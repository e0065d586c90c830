package config

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadmeConfigurationTable checks that README.md's "Configuration" table is the Settings
// table, row for row: flag, environment variable, default, meaning (Markdown backticks aside).
func TestReadmeConfigurationTable(t *testing.T) {
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got [][4]string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## Configuration"
			continue
		}
		if !in || !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 4 {
			t.Fatalf("README row %q has %d cells, want 4", line, len(cells))
		}
		var row [4]string
		for i, c := range cells {
			row[i] = strings.TrimSpace(strings.ReplaceAll(c, "`", ""))
		}
		if row[0] == "flag" || strings.Trim(row[0], "-: ") == "" {
			continue // header, separator
		}
		got = append(got, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var want [][4]string
	var md strings.Builder
	for _, s := range Settings() {
		name := "—"
		if s.Flag != "" {
			name = "--" + s.Flag
		}
		want = append(want, [4]string{name, s.Env, s.ShownDefault(), s.Usage})
		md.WriteString("| `" + name + "` | `" + s.Env + "` | " + s.ShownDefault() + " | " + s.Usage + " |\n")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README.md's Configuration table differs from config.Settings (-code +README):\n%s\nrows from the code:\n%s", diff, md.String())
	}
}
