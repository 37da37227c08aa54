//go:build !linux

package testserver

import "syscall"

// Real servers are only started on Linux; elsewhere Start and Shared skip.
const supported = false

func sysProcAttr() *syscall.SysProcAttr { return nil }

func stopGroup(pgid, extra int, done <-chan struct{}) {}

func pidAlive(pid int) bool { return false }

func groupPids(pgid int) []int { return nil }
