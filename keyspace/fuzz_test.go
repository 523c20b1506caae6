package keyspace_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/aofrdb/aofrdb/keyspace"
	"github.com/aofrdb/aofrdb/resp"
)

// FuzzExec runs arbitrary commands (arguments separated by newlines,
// commands by a blank line) against a keyspace holding a key of each
// type (a stream with a group, a HyperLogLog and a geo set included): no panic, every reply is exactly one RESP reply, and replaying
// what was logged succeeds and gives the same data.
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"SET\nk\nv\nEX\n10",
		"SETRANGE\ns\n100\nx\n\nGETRANGE\ns\n-5\n-1",
		"BITFIELD\ns\nSET\ni64\n#3\n-1\nINCRBY\nu7\n100\n9\nOVERFLOW\nSAT",
		"LPUSH\nl\na\nb\n\nLINSERT\nl\nBEFORE\na\nz\n\nLRANGE\nl\n0\n-1",
		"SADD\nset\n1\n2\nx\n\nSPOP\nset\n2\n\nSINTERSTORE\nd\nset\nset",
		"HSET\nh\nf\nv\n\nHINCRBYFLOAT\nh\nf\n1.5",
		"ZADD\nz\nINCR\n1\nm\n\nZRANGE\nz\n(1\n+inf\nBYSCORE\nLIMIT\n0\n-1\nWITHSCORES",
		"ZUNIONSTORE\nd\n2\nz\nset\nWEIGHTS\n1\ninf\nAGGREGATE\nMAX",
		"RENAME\ns\nl\n\nMOVE\nl\n1\n\nSWAPDB\n0\n1\n\nFLUSHALL",
		"SCAN\n0\nMATCH\n*[a-\nCOUNT\n1\nTYPE\nlist",
		"EXPIRE\nh\n-1\n\nPEXPIREAT\nz\n9223372036854775807\n\nTTL\nz",
		"LMPOP\n2\nl\nx\nLEFT\nCOUNT\n1000000000000",
		"XADD\nx\nMAXLEN\n~\n2\n5-*\nf\nv\n\nXGROUP\nCREATE\nx\ng\n0\n\nXREADGROUP\nGROUP\ng\nc\nCOUNT\n2\nSTREAMS\nx\n>",
		"XCLAIM\nx\ng\nd\n0\n1-1\nIDLE\n5\nRETRYCOUNT\n3\nFORCE\n\nXAUTOCLAIM\nx\ng\nd\n0\n0-0\nCOUNT\n10\n\nXSETID\nx\n9-9\nENTRIESADDED\n20\nMAXDELETEDID\n3-0",
		"XTRIM\nx\nMINID\n=\n2-0\n\nXDEL\nx\n1-1\n\nXINFO\nSTREAM\nx\nFULL\nCOUNT\n1\n\nXPENDING\nx\ng\nIDLE\n0\n-\n+\n10",
		"PFADD\nhll\na\nb\nc\n\nPFMERGE\nhll2\nhll\ns\n\nPFCOUNT\nhll\nhll2\n\nPFDEBUG\nTODENSE\nhll",
		"GEOADD\ngeo\nNX\nCH\n13.36\n38.11\npa\n15.08\n37.50\nca\n\nGEOSEARCHSTORE\nd\ngeo\nFROMMEMBER\npa\nBYBOX\n400\n400\nkm\nCOUNT\n1\nANY\nSTOREDIST",
		"GEORADIUS\ngeo\n15\n37\n200\nkm\nWITHDIST\nWITHHASH\nASC\nSTORE\nz",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, replica := keyspace.NewMemory(nil), keyspace.NewMemory(nil)
		setup := [][]string{
			{"SET", "s", "string"}, {"RPUSH", "l", "a", "b", "c"}, {"SADD", "set", "1", "2", "m"},
			{"HSET", "h", "f", "1"}, {"ZADD", "z", "1", "a", "2", "b"},
			{"XADD", "x", "1-1", "f", "v"}, {"XGROUP", "CREATE", "x", "g", "0"}, {"PFADD", "hll", "a"},
			{"GEOADD", "geo", "13.361389", "38.115556", "Palermo"},
		}
		var cmds [][][]byte
		for _, c := range setup {
			cmds = append(cmds, args(c...))
		}
		for _, block := range bytes.Split(data, []byte("\n\n")) {
			if len(cmds) > 64 {
				break
			}
			if a := bytes.Split(block, []byte("\n")); len(a[0]) > 0 {
				cmds = append(cmds, a)
			}
		}
		db := 0
		for _, a := range cmds {
			c := &keyspace.Call{DB: db, Args: a, Now: 1_700_000_000_000, Write: true}
			if err := ks.Exec(c); err != nil {
				t.Fatalf("%q: %v", a, err)
			}
			db = c.DB
			rd := resp.NewReader(bytes.NewReader(c.Reply.Buf))
			if _, err := rd.ReadReply(); err != nil {
				t.Fatalf("%q: reply %q: %v", a, c.Reply.Buf, err)
			}
			if _, err := rd.ReadReply(); err != io.EOF {
				t.Fatalf("%q: reply %q is more than one reply", a, c.Reply.Buf)
			}
			for _, r := range c.Log {
				rc := &keyspace.Call{DB: r.DB, Args: r.Args, Now: 1_700_000_000_000, Write: true, Loading: true}
				if err := replica.Exec(rc); err != nil {
					t.Fatalf("replaying %q: %v", r.Args, err)
				}
				if bytes.HasPrefix(rc.Reply.Buf, []byte("-")) {
					t.Fatalf("replaying %q of %q: %s", r.Args, a, rc.Reply.Buf)
				}
			}
		}
		// What Redis leaves out of its AOF for streams is left out of the
		// comparison (see replayRelax).
		if want, got := relaxAll(snapshotData(t, ks)), relaxAll(snapshotData(t, replica)); len(want) != len(got) {
			t.Fatalf("replayed data has %d keys, want %d", len(got), len(want))
		} else {
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("replayed %s = %v, want %v", k, got[k], v)
				}
			}
		}
	})
}

func args(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, a := range s {
		out[i] = []byte(a)
	}
	return out
}
