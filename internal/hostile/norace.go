//go:build !race

package hostile

// Slowdown is how much slower code runs in this build: 1 without the race
// detector (time bounds in hostile-input tests are stated for a normal
// build and scaled by it).
const Slowdown = 1
