package config

import (
	"fmt"
	"io"
)

// Usage writes the settings table for `arca serve --help`: per setting a line with its flag, its
// environment variable and its default, then a line saying what it does.
func Usage(w io.Writer) {
	rows := [][3]string{{"flag", "environment", "default"}}
	usages := []string{""}
	for _, s := range Settings() {
		name := "—"
		if s.Flag != "" {
			name = "--" + s.Flag
		}
		rows = append(rows, [3]string{name, s.Env, s.ShownDefault()})
		usages = append(usages, s.Usage)
	}
	var width [2]int
	for _, r := range rows {
		width[0] = max(width[0], len([]rune(r[0])))
		width[1] = max(width[1], len(r[1]))
	}
	for i, r := range rows {
		fmt.Fprintf(w, "  %s  %-*s  %s\n", pad(r[0], width[0]), width[1], r[1], r[2])
		if usages[i] != "" {
			fmt.Fprintf(w, "      %s\n", usages[i])
		}
	}
}

// pad pads s with spaces to n runes (fmt's widths count bytes, and "—" is three).
func pad(s string, n int) string {
	for k := len([]rune(s)); k < n; k++ {
		s += " "
	}
	return s
}
