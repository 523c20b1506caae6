// Command aofrdb inspects, checks and converts Redis persistence files with
// the aofrdb library: the same reader, writer and data-set model that Go
// programs get.
//
// Usage:
//
//	aofrdb dump FILE.rdb|FILE.aof|DIR    print the data set as canonical JSON, of an RDB
//	                                     file, an AOF file, a manifest, an AOF directory
//	                                     or a data directory (AOF before RDB)
//	aofrdb convert [flags] IN OUT        between RDB, JSON and AOF; OUT a directory (or
//	                                     --base rdb|aof) is a new multi-part AOF directory
//	aofrdb check [flags] FILE.rdb        verify an RDB file, as redis-check-rdb does
//	aofrdb check AOF                     verify an AOF (appendonlydir, its manifest, or a
//	                                     single file), as redis-check-aof does
//	aofrdb fix [--force] [--truncate-to-timestamp T] AOF
//	                                     cut a torn tail of the AOF's last file, or cut the
//	                                     AOF at a timestamp, keeping a backup of what is cut
//	aofrdb version                       print the version
//	aofrdb help [COMMAND]                print the usage
//
// The JSON is the schema of the fixtures' expected.json files (see
// internal/dataset). Exit status: 0 on success, 1 when a file is unsound or
// a command fails, 2 on a usage error (check and fix of an AOF exit as
// redis-check-aof, except that its usage errors exit 1).
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
