package main

import (
	"runtime"
	"strings"
	"testing"
)

func TestCheckDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the display check applies to Linux only")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	err := checkDisplay()
	if err == nil || !strings.Contains(err.Error(), "Causerie needs a graphical display") {
		t.Fatalf("checkDisplay() with no display = %v, want the explanatory error", err)
	}

	t.Setenv("DISPLAY", ":99")
	if err := checkDisplay(); err != nil {
		t.Fatalf("checkDisplay() with DISPLAY set = %v, want nil", err)
	}

	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "wayland-0")
	if err := checkDisplay(); err != nil {
		t.Fatalf("checkDisplay() with WAYLAND_DISPLAY set = %v, want nil", err)
	}
}
