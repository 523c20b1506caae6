//go:build !race

package lzf

const raceEnabled = false
