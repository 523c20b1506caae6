//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package vfs

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const lockChildEnv = "VFS_TEST_LOCK_CHILD"

// TestLockOtherProcess checks that the OS Lock excludes another process,
// and that the lock dies with the process that held it.
func TestLockOtherProcess(t *testing.T) {
	if os.Getenv(lockChildEnv) != "" {
		t.Skip("run by the parent test only")
	}
	name := filepath.Join(t.TempDir(), "LOCK")
	child := func() error {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockChild$")
		cmd.Env = append(os.Environ(), lockChildEnv+"="+name)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("child: %s", out)
		}
		return err
	}

	l, err := Default.Lock(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := child(); err == nil {
		t.Error("another process took the lock")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := child(); err != nil { // and it exits holding it: the lock dies with it
		t.Errorf("another process could not take the released lock: %v", err)
	}
	l, err = Default.Lock(name)
	if err != nil {
		t.Fatalf("Lock after the other process exited: %v", err)
	}
	l.Close()
}

// TestLockChild is the other process of TestLockOtherProcess: it fails if
// it cannot lock the file, and exits without unlocking it.
func TestLockChild(t *testing.T) {
	name := os.Getenv(lockChildEnv)
	if name == "" {
		t.Skip("run by TestLockOtherProcess only")
	}
	if _, err := Default.Lock(name); err != nil {
		if !errors.Is(err, ErrLocked) {
			t.Errorf("Lock failed with %v, want ErrLocked", err)
		}
		t.Fatal(err)
	}
}
