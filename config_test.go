package aofrdb

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aofrdb/aofrdb/aof"
	"github.com/aofrdb/aofrdb/internal/redistest"
	"github.com/aofrdb/aofrdb/internal/testenv"
)

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := ParseConfig(strings.NewReader("# nothing\n\n   \nport 7000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Options, DefaultOptions()) {
		t.Errorf("options %+v, want the defaults", cfg.Options)
	}
	if cfg.Dir != "" || len(cfg.Ignored) != 1 || !reflect.DeepEqual(cfg.Ignored[0], Directive{4, "port 7000", "port", []string{"7000"}}) {
		t.Errorf("dir %q ignored %+v", cfg.Dir, cfg.Ignored)
	}
}

func TestParseConfig(t *testing.T) {
	text := `# persistence
appendonly YES
appendfilename "my file.aof"
appenddirname aofdir
appendfsync Always
no-appendfsync-on-rewrite yes
auto-aof-rewrite-percentage 50
auto-aof-rewrite-min-size 1kb
aof-load-truncated no
aof-use-rdb-preamble no
aof-timestamp-enabled yes
aof-rewrite-incremental-fsync no
save 900 1
save "300 10 60 10000"
dbfilename 'x.rdb'
rdbcompression no
rdbchecksum no
rdb-save-incremental-fsync no
stop-writes-on-bgsave-error no
databases 4
dir /data
dir sub
Maxmemory 100mb
include "/etc/other.conf"
`
	cfg, err := ParseConfig(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultOptions()
	want.AppendOnly = true
	want.AppendFilename = "my file.aof"
	want.AppendDirname = "aofdir"
	want.AppendFsync = aof.Always
	want.NoAppendFsyncOnRewrite = true
	want.AutoAOFRewritePercentage = 50
	want.AutoAOFRewriteMinSize = 1024
	want.AOFLoadTruncated = false
	want.AOFUseRDBPreamble = false
	want.AOFTimestampEnabled = true
	want.AOFRewriteIncrementalFsync = false
	want.Save = []SavePoint{{900, 1}, {300, 10}, {60, 10000}}
	want.DBFilename = "x.rdb"
	want.RDBCompression = false
	want.RDBChecksum = false
	want.RDBSaveIncrementalFsync = false
	want.StopWritesOnBGSaveError = false
	want.Databases = 4
	if !reflect.DeepEqual(cfg.Options, want) {
		t.Errorf("options\n%+v\nwant\n%+v", cfg.Options, want)
	}
	if cfg.Dir != filepath.Join("/data", "sub") {
		t.Errorf("dir %q", cfg.Dir)
	}
	wantIgnored := []Directive{{23, "Maxmemory 100mb", "maxmemory", []string{"100mb"}}, {24, `include "/etc/other.conf"`, "include", []string{"/etc/other.conf"}}}
	if !reflect.DeepEqual(cfg.Ignored, wantIgnored) {
		t.Errorf("ignored %+v", cfg.Ignored)
	}
}

func TestParseConfigSave(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []SavePoint
	}{
		{"save 10 1", []SavePoint{{10, 1}}},
		{"save 10 1\nsave 20 2", []SavePoint{{10, 1}, {20, 2}}},
		{`save ""`, nil},
		{"save", nil},
		{"save 10 1\nsave", []SavePoint{{10, 1}}},
		{"save 10 1\nsave ''\nsave 30 3", []SavePoint{{30, 3}}},
		{"save 10 1 20 2", []SavePoint{{10, 1}, {20, 2}}},
		{`save "10 1" "20 2"`, nil}, // two words: each must be a number
		{`save "10 0"`, []SavePoint{{10, 0}}},
		{`save +10 ""`, []SavePoint{{10, 0}}},
		{`save "10 1\x00 20 2"`, []SavePoint{{10, 1}}}, // split again up to the NUL
	} {
		cfg, err := ParseConfig(strings.NewReader(tc.text))
		if tc.text == `save "10 1" "20 2"` {
			if err == nil {
				t.Errorf("%q: no error", tc.text)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		if len(cfg.Options.Save) != len(tc.want) || len(tc.want) > 0 && !reflect.DeepEqual(cfg.Options.Save, tc.want) {
			t.Errorf("%q: %v, want %v", tc.text, cfg.Options.Save, tc.want)
		}
	}
}

// badConfigs are configurations Redis refuses, with its reasons.
var badConfigs = []struct{ text, reason string }{
	{"appendfsync sometimes", "argument(s) must be one of the following: everysec, always, no"},
	{"appendonly maybe", "argument must be 'yes' or 'no'"},
	{"appendonly", "wrong number of arguments"},
	{"appendonly yes no", "wrong number of arguments"},
	{"auto-aof-rewrite-min-size 64x", "argument must be a memory value"},
	{"auto-aof-rewrite-min-size -1", "argument must be a memory value"},
	{"auto-aof-rewrite-min-size 99999999999999gb", "argument must be between 0 and 9223372036854775807 inclusive"},
	{"auto-aof-rewrite-percentage -1", "argument must be between 0 and 2147483647 inclusive"},
	{"auto-aof-rewrite-percentage 1.5", "argument couldn't be parsed into an integer"},
	{"auto-aof-rewrite-percentage 010", "argument couldn't be parsed into an integer"},
	{"save 0 1", "Invalid save parameters"},
	{"save 10", "Invalid save parameters"},
	{"save 10 x", "Invalid save parameters"},
	{"save 10 -1", "Invalid save parameters"},
	{"dbfilename a/b", "dbfilename can't be a path, just a filename"},
	{`appendfilename ""`, "appendfilename can't be empty"},
	{`appendfilename a\b`, "appendfilename can't be a path, just a filename"},
	{`appenddirname ""`, "appenddirname can't be empty"},
	{"databases 0", "argument must be between 1 and 2147483647 inclusive"},
	{"databases", "wrong number of arguments"},
	{`dir "unterminated`, "Unbalanced quotes in configuration line"},
	{`appendonly "yes"no`, "Unbalanced quotes in configuration line"},
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range badConfigs {
		text := "# line 1\nport 0\n" + tc.text + "\n"
		_, err := ParseConfig(strings.NewReader(text))
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%q: %v, want a ConfigError", tc.text, err)
			continue
		}
		if ce.Line != 3 || ce.Text != tc.text || ce.Reason != tc.reason {
			t.Errorf("%q: %+v, want line 3, reason %q", tc.text, ce, tc.reason)
		}
		if !strings.Contains(err.Error(), "line 3") {
			t.Errorf("%q: %v does not name the line", tc.text, err)
		}
	}
	// What Redis takes and a Store cannot use.
	for _, text := range []string{`dbfilename ""`, "dbfilename .", "appenddirname ..", "databases 2000000"} {
		var ce *ConfigError
		if _, err := ParseConfig(strings.NewReader(text)); !errors.As(err, &ce) || ce.Line != 1 {
			t.Errorf("%q: %v", text, err)
		}
	}
	if _, err := ParseConfig(iotest.ErrReader(errors.New("boom"))); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("read error: %v", err)
	}
}

// TestParseConfigRedis checks ParseConfig against redis-server 7.0:
// the fatal errors it prints for bad configurations, and what CONFIG
// GET reports for good ones.
func TestParseConfigRedis(t *testing.T) {
	bin := testenv.RedisServer(t)
	dir := t.TempDir()
	for _, tc := range badConfigs {
		text := "# line 1\nport 0\n" + tc.text + "\n"
		conf := filepath.Join(dir, "bad.conf")
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command(bin, conf).CombinedOutput()
		_, err := ParseConfig(strings.NewReader(text))
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if string(out) != ce.Banner() {
			t.Errorf("%q: redis-server says\n%s\nParseConfig\n%s", tc.text, out, ce.Banner())
		}
	}

	for _, text := range []string{
		"",
		"appendonly YES\nappendfsync ALWAYS\nsave 100 1\nsave \"200 2 300 3\"\nsave 400 4\nauto-aof-rewrite-min-size 1Kb\n",
		"save ''\nappendfilename \"a b.aof\"\nappenddirname 'd\\'x'\ndbfilename \"\\x41.rdb\"\nno-appendfsync-on-rewrite yes\n",
		"save\nauto-aof-rewrite-min-size 3g\nauto-aof-rewrite-percentage 0\naof-load-truncated no\naof-use-rdb-preamble no\n" +
			"aof-timestamp-enabled yes\naof-rewrite-incremental-fsync no\nrdbcompression no\nrdbchecksum no\n" +
			"rdb-save-incremental-fsync no\nstop-writes-on-bgsave-error no\ndatabases 3\nappendfsync no\n",
		"save 10 1\nsave\nauto-aof-rewrite-min-size mb\n",
	} {
		cfg, err := ParseConfig(strings.NewReader(text))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		want := cfg.Options.ConfigValues()
		conf := filepath.Join(dir, "good.conf")
		// appendonly no keeps the data directory clean; appendonly is
		// compared apart.
		if err := os.WriteFile(conf, []byte(text+"\nappendonly no\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c := startConf(t, bin, conf)
		for name, v := range want {
			if name == "appendonly" {
				continue
			}
			got := c.Must("CONFIG", "GET", name)
			if len(got.Elems) != 2 || string(got.Elems[1].Str) != v {
				t.Errorf("%q: CONFIG GET %s: redis-server %s, ParseConfig %q", text, name, got, v)
			}
		}
	}
}

// startConf starts redis-server with the configuration file conf (and
// no listener but a unix socket, in a temporary directory), and returns
// a client.
func startConf(t *testing.T, bin, conf string) *redistest.Client {
	t.Helper()
	dir, err := os.MkdirTemp("", "conf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s.sock")
	cmd := exec.Command(bin, conf, "--port", "0", "--unixsocket", sock, "--dir", dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; ; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if i == 1000 {
			t.Fatalf("redis-server did not start:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return redistest.Dial(t, "unix", sock)
}

// FuzzParseConfig checks that no input makes ParseConfig panic, and
// that what it accepts passes Validate.
func FuzzParseConfig(f *testing.F) {
	f.Add("save \"900 1\"\nappendonly yes\ndir /x\n")
	f.Add("auto-aof-rewrite-min-size 99999999999999999999gb\nsave +1 ''")
	f.Add("dbfilename \"\\xff\\x00\"\nappendfsync 'no")
	f.Add(`save "1 1\x00 2"`) // a NUL in an argument split again
	for _, tc := range badConfigs {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := ParseConfig(strings.NewReader(text))
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Line < 1 {
				t.Fatalf("%v", err)
			}
			return
		}
		if err := cfg.Options.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}
