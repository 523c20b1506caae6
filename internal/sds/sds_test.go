package sds

import (
	"slices"
	"testing"
)

// TestSplitArgs: sdssplitargs's quoting, escapes and failures, read as a
// C string.
func TestSplitArgs(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
		ok   bool
	}{
		{"  save 900 1  ", []string{"save", "900", "1"}, true},
		{`dir "/a b/\x41\n"`, []string{"dir", "/a b/A\n"}, true},
		{`name 'it\'s'`, []string{"name", "it's"}, true},
		{`"unterminated`, nil, false},
		{`"a"b`, nil, false},
		{"a\x00b c", []string{"a"}, true},
		{"", nil, true},
	} {
		got, ok := SplitArgs(c.line)
		if ok != c.ok || ok && !slices.Equal(got, c.want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q, %v", c.line, got, ok, c.want, c.ok)
		}
	}
}
