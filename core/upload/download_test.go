package upload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("é", 100) + ".tar.gz"
	for in, want := range map[string]string{
		"vacances à Moulinsart.jpg": "vacances à Moulinsart.jpg",
		"../../.bashrc":             "_.._.bashrc",
		".bashrc":                   "bashrc",
		`C:\Windows\evil.exe`:       "C__Windows_evil.exe",
		"a/b":                       "a_b",
		"con.txt":                   "_con.txt",
		"nul.tar.gz":                "_nul.tar.gz",
		"CONIN$":                    "_CONIN$",
		"LPT1":                      "_LPT1",
		"console.txt":               "console.txt",
		"ok. . ":                    "ok",
		"":                          "file",
		"...":                       "file",
		"tab\there\nnew":            "tabherenew",
		"gpj.\u202eexe":             "gpj.exe", // shown as "exe.jpg" with the override
		"zero\u200bwidth":           "zerowidth",
		"a:b*c?d\"e<f>g|h":          "a_b_c_d_e_f_g_h",
		"\xff\xfebad.txt":           "bad.txt",
		long:                        strings.Repeat("é", 73) + ".gz",
	} {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"a.png", "../x", "con", ".", strings.Repeat("x", 300) + ".pdf", "\u202e", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := SafeName(in)
		if s == "" || s == "." || s == ".." || strings.HasPrefix(s, ".") || strings.ContainsAny(s, `/\:*?"<>|`) ||
			!utf8.ValidString(s) || len(s) > maxNameBytes+1 || strings.HasSuffix(s, ".") || strings.HasSuffix(s, " ") {
			t.Fatalf("SafeName(%q) = %q", in, s)
		}
		for _, r := range s {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("SafeName(%q) = %q: a control character", in, s)
			}
		}
		if again := SafeName(s); again != s {
			t.Fatalf("SafeName(%q) = %q, then %q", in, s, again)
		}
	})
}

func TestDownloadsDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DOWNLOAD_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", "")
	if d, err := DownloadsDir(); err != nil || d != filepath.Join(home, "Downloads") {
		t.Fatalf("no user-dirs: %q, %v", d, err)
	}
	cfg := filepath.Join(home, ".config")
	os.MkdirAll(cfg, 0o700)
	os.WriteFile(filepath.Join(cfg, "user-dirs.dirs"), []byte("# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Bureau\"\nXDG_DOWNLOAD_DIR=\"$HOME/Téléchargements\"\n"), 0o600)
	if d, _ := DownloadsDir(); d != filepath.Join(home, "Téléchargements") {
		t.Fatalf("user-dirs: %q", d)
	}
	t.Setenv("XDG_DOWNLOAD_DIR", "/srv/dl")
	if d, _ := DownloadsDir(); d != "/srv/dl" {
		t.Fatalf("environment: %q", d)
	}
	for file, want := range map[string]string{
		`XDG_DOWNLOAD_DIR="$HOME/"`:          "",
		`XDG_DOWNLOAD_DIR="/data/dl"`:        "/data/dl",
		`XDG_DOWNLOAD_DIR=relative`:          "",
		`XDG_DOWNLOAD_DIR="$HOMEBOY/x"`:      "",
		`  XDG_DOWNLOAD_DIR="$HOME/a \"b\""`: "/h/a \"b\"",
	} {
		if got := xdgDownloads(file, "/h"); got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
}
