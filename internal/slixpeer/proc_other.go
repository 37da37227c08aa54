//go:build !linux

package slixpeer

import "syscall"

// The peer runs against the test servers, which run on Linux only.
const supported = false

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(pid int) {}
