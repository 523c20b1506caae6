package manifest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aofrdb/aofrdb/internal/testenv"
	"github.com/aofrdb/aofrdb/internal/vfs"
)

// TestRedisCheckAOF writes manifests with Write, names that need quoting
// among them, next to empty and valid base and incr files, and checks that
// redis-check-aof accepts them.
func TestRedisCheckAOF(t *testing.T) {
	bin := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	const cmd = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
	for _, prefix := range []string{"appendonly.aof", " file seq \n\n.aof ", "tab\there \"q\" \xe9"} {
		dir := t.TempDir()
		m := &Manifest{
			Base:    &File{Name: BaseName(prefix, 3, false), Seq: 3, Type: Base},
			History: []File{{Name: IncrName(prefix, 1), Seq: 1, Type: History}},
			Incr: []File{
				{Name: IncrName(prefix, 1), Seq: 1, Type: Incr, Extra: [][2]string{{"future", "key value"}}},
				{Name: IncrName(prefix, 4), Seq: 4, Type: Incr},
			},
		}
		files := map[string]string{m.Base.Name: cmd, m.Incr[0].Name: "", m.Incr[1].Name: cmd + cmd}
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := Write(vfs.Default, dir, prefix, m); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, filepath.Join(dir, ManifestName(prefix))).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "All AOF files and manifest are valid") {
			data, _ := os.ReadFile(filepath.Join(dir, ManifestName(prefix)))
			t.Errorf("prefix %q: redis-check-aof: %v\nmanifest:\n%s\noutput:\n%s", prefix, err, data, out)
		}
	}
}

// TestRedisCheckAOFErrors checks that redis-check-aof refuses the
// malformed manifests of parseErrorTests with the same message.
func TestRedisCheckAOFErrors(t *testing.T) {
	bin := testenv.LookPath(t, "redis-check-aof", "apt-get install -y redis-tools")
	for _, tt := range parseErrorTests {
		if !strings.HasPrefix(tt.in, "file") {
			continue // redis-check-aof takes a file that does not start with "file" for a plain AOF
		}
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.manifest")
			if err := os.WriteFile(path, []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, path).CombinedOutput()
			msg, _, _ := strings.Cut(tt.msg, " (")
			if strings.HasPrefix(msg, "File name can't") {
				t.Skipf("Redis accepts it; output:\n%s", out) // our own refusals
			}
			if err == nil || !strings.Contains(string(out), msg) {
				t.Errorf("redis-check-aof: %v, want %q; output:\n%s", err, msg, out)
			}
		})
	}
}
