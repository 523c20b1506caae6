// Package compact decodes, with Redis's integrity checks, the compact
// encodings Redis stores inside RDB values (listpack, ziplist, intset,
// zipmap), and encodes listpacks exactly as Redis does.
//
// See doc comments of ListpackEach, ZiplistEach, IntsetEach and ZipmapEach
// for what each checks. A fuller description follows in a later revision.
package compact
