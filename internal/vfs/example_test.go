package vfs_test

import (
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/aofrdb/aofrdb/internal/vfs"
)

func ExampleWriteFileAtomic() {
	fsys := vfs.NewMem()
	// A new directory is durable once its parent is synced.
	if err := fsys.MkdirAll("data"); err != nil {
		panic(err)
	}
	if err := fsys.SyncDir("."); err != nil {
		panic(err)
	}
	err := vfs.WriteFileAtomic(fsys, "data/appendonly.aof.manifest", func(w io.Writer) error {
		_, err := io.WriteString(w, "file appendonly.aof.1.base.rdb seq 1 type b\n")
		return err
	})
	if err != nil {
		panic(err)
	}
	// The new file survives a power loss.
	data, err := vfs.ReadFile(fsys.CrashClone(vfs.CrashOptions{}), "data/appendonly.aof.manifest")
	fmt.Printf("%q %v\n", data, err)
	// Output: "file appendonly.aof.1.base.rdb seq 1 type b\n" <nil>
}

// The fault injection loop: fail operation 0, 1, 2, ... of the workload
// until it runs clean.
func ExampleFaulty() {
	for i := int64(0); ; i++ {
		mem := vfs.NewMem()
		fsys := vfs.NewFaulty(mem)
		fsys.FailAt(i, vfs.NoSpace)
		err := vfs.WriteFileAtomic(fsys, "dump.rdb", func(w io.Writer) error {
			_, err := io.WriteString(w, "REDIS0010")
			return err
		})
		if fsys.Injected() == 0 {
			fmt.Printf("clean after %d operations: %v\n", fsys.Ops(), err)
			break
		}
		fmt.Printf("op %d: ENOSPC=%v\n", i, errors.Is(err, syscall.ENOSPC))
	}
	// Output:
	// op 0: ENOSPC=true
	// op 1: ENOSPC=true
	// op 2: ENOSPC=true
	// op 3: ENOSPC=true
	// op 4: ENOSPC=true
	// op 5: ENOSPC=true
	// clean after 6 operations: <nil>
}
