//go:build race

package main

// raceEnabled makes the slowest tests use fewer fixtures under the race
// detector.
const raceEnabled = true
