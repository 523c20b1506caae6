package crc64_test

import (
	"encoding/binary"
	"fmt"

	"github.com/aofrdb/aofrdb/internal/crc64"
)

func ExampleChecksum() {
	fmt.Printf("%#x\n", crc64.Checksum([]byte("123456789")))
	// Output: 0xe9c6d914c4b8d9ca
}

// An RDB file ends with the CRC of everything before it, little-endian.
func ExampleUpdate() {
	file := []byte("REDIS0012")
	file = append(file, 0xff) // EOF opcode
	crc := crc64.Update(0, file[:5])
	crc = crc64.Update(crc, file[5:]) // chained: same as one call
	file = binary.LittleEndian.AppendUint64(file, crc)
	fmt.Printf("% x\n", file[len(file)-8:])
	fmt.Println(crc == crc64.Checksum(file[:len(file)-8]))
	// Output:
	// 10 d0 db 41 20 be f4 d3
	// true
}
