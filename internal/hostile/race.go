//go:build race

package hostile

// Slowdown is how much slower code runs in this build: the race
// detector's instrumentation costs about ten times (time bounds in
// hostile-input tests are stated for a normal build and scaled by it).
const Slowdown = 10
