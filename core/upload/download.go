package upload

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/picture"
	"github.com/causerie/causerie/core/safetext"
)

// Why a file was not downloaded (errors.Is), besides ErrCut,
// ErrUnreachable, *HTTPError and the disk's errors.
var (
	// ErrNoFile: the message carries no file.
	ErrNoFile = errors.New("upload: the message carries no file")
	// ErrNotHTTPS: the file's address is not https; it is not fetched
	// in the clear.
	ErrNotHTTPS = errors.New("upload: the file's address is not https")
	// ErrNoFolder: there is no downloads folder to save into.
	ErrNoFolder = errors.New("upload: no downloads folder")
	// ErrCopyGone: the copy of a file on this computer was moved,
	// removed or changed; it is forgotten.
	ErrCopyGone = errors.New("upload: the copy of the file is gone")
	// ErrStalled: the server stopped sending for stallTimeout.
	ErrStalled = errors.New("upload: the server stopped sending the file")
)

// stallTimeout is how long a download waits for the next bytes (or the
// answer's headers) before it gives up (a variable for tests).
var stallTimeout = 30 * time.Second

// Copy checks that the copy of m's file on this computer (m.File: the
// one we sent, or downloaded) is still there as it was: a regular file
// of m.FileSize bytes. One that is not is forgotten (history
// Message.File), and Copy returns ErrCopyGone.
func (u *Uploads) Copy(m history.Message) error {
	if m.File == "" {
		return ErrCopyGone
	}
	st, err := os.Stat(m.File)
	if err == nil && st.Mode().IsRegular() && (m.FileSize == 0 || st.Size() == m.FileSize) {
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := u.h.History().SetFile(m.ID, "", 0); err != nil {
		return err
	}
	return ErrCopyGone
}

// Download saves the file m carries (its OOB address) into dir under
// SafeName of its name, never over a file already there ("name (1).ext"
// then), and records the copy with the message (history.Message.File,
// FileSize), which it returns. The bytes are streamed to a hidden
// partial file in dir, renamed once whole: a cancelled or cut download
// leaves nothing. progress, when not nil, is called as bytes come (every
// 64 KiB and at the end; total is -1 when the server does not say); it
// must return quickly. Cancelling ctx stops it. The certificate is
// verified as core.Hook.HTTPClient says.
func (u *Uploads) Download(ctx context.Context, m history.Message, dir string, progress func(got, total int64)) (history.Message, error) {
	if m.OOB == "" {
		return m, ErrNoFile
	}
	if !strings.HasPrefix(strings.ToLower(m.OOB), "https://") {
		return m, ErrNotHTTPS
	}
	if dir == "" {
		return m, ErrNoFolder
	}
	sweepParts(dir, time.Now())
	// A watchdog ends a download that stopped moving: no answer, or no
	// bytes, for stallTimeout.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	dog := time.AfterFunc(stallTimeout, func() { cancel(ErrStalled) })
	defer dog.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.OOB, nil)
	if err != nil {
		return m, fmt.Errorf("upload: %w", err)
	}
	res, err := u.httpClient().Do(req)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			return m, cause
		}
		return m, fmt.Errorf("upload: %w", netProblem(err))
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return m, &HTTPError{Status: res.StatusCode}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return m, err
	}
	part, err := os.CreateTemp(dir, ".causerie-*.part")
	if err != nil {
		return m, err
	}
	defer os.Remove(part.Name()) // gone once renamed
	total := res.ContentLength
	w := &progressWriter{w: bufio.NewWriterSize(part, 64<<10), total: total, progress: progress,
		moved: func() { dog.Reset(stallTimeout) }}
	n, err := io.Copy(w, res.Body)
	if err == nil {
		err = w.w.Flush()
	}
	if err == nil && total >= 0 && n != total {
		err = io.ErrUnexpectedEOF
	}
	if err == nil {
		err = part.Chmod(0o644) // as other files saved; never executable
	}
	if err == nil {
		err = part.Sync()
	}
	if cerr := part.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			return m, cause
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			return m, err // the disk's
		}
		return m, fmt.Errorf("upload: %w", netProblem(err))
	}
	final, err := place(part.Name(), dir, SafeName(fileNameOf(m.OOB)))
	if err != nil {
		return m, err
	}
	markDownloaded(final, m.OOB)
	if progress != nil {
		progress(n, n)
	}
	// The file is there whatever comes next: a history that cannot
	// record it only means it is not remembered.
	_ = u.h.History().SetFile(m.ID, final, n)
	m.File, m.FileSize = final, n
	return m, nil
}

// sweepParts removes the partial files of downloads that a day ago were
// left in dir by an exit in the middle.
func sweepParts(dir string, now time.Time) {
	parts, _ := filepath.Glob(filepath.Join(dir, ".causerie-*.part"))
	for _, p := range parts {
		if st, err := os.Stat(p); err == nil && now.Sub(st.ModTime()) > 24*time.Hour {
			os.Remove(p)
		}
	}
}

// place moves the whole download at part into dir under name, or
// "name (1).ext", "name (2).ext"… whichever is free: the name is taken
// with O_EXCL first, so that a file that came meanwhile is never
// replaced. It returns the path.
func place(part, dir, name string) (string, error) {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if stem == "" {
		stem, ext = name, ""
	}
	for i := 0; i < 1000; i++ {
		cand := name
		if i > 0 {
			cand = stem + " (" + strconv.Itoa(i) + ")" + ext
		}
		p := filepath.Join(dir, cand)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		f.Close()
		if err := os.Rename(part, p); err != nil {
			os.Remove(p)
			return "", err
		}
		return p, nil
	}
	return "", fmt.Errorf("upload: no free name for %s in %s: %w", name, dir, os.ErrExist)
}

// progressWriter counts what is written through it.
type progressWriter struct {
	w        *bufio.Writer
	got      int64
	last     int64
	total    int64
	progress func(got, total int64)
	moved    func() // bytes came
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.got += int64(n)
	if p.moved != nil {
		p.moved()
	}
	if p.progress != nil && p.got-p.last >= 64<<10 {
		p.last = p.got
		p.progress(p.got, p.total)
	}
	return n, err
}

// fileNameOf is the last part of u's path, unescaped.
func fileNameOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return path.Base(p.Path)
}

// maxNameBytes bounds a saved file's name (file systems take 255).
const maxNameBytes = 150

// SafeName is name made safe to save a file under on any of our
// systems: no path separator or character Windows refuses, no control,
// invisible or bidi character (a name that would show other than it
// is), not hidden (no leading dot), no trailing dot or space, not a
// device name Windows reserves, at most maxNameBytes bytes with its
// extension kept; "file" when nothing is left.
func SafeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), safetext.IsBidiControl(r), safetext.IsInvisible(r):
			continue
		case strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteRune('_')
		case unicode.IsSpace(r):
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.Trim(b.String(), ". ")
	if s == "" {
		return "file"
	}
	if len(s) > maxNameBytes {
		ext := path.Ext(s)
		if len(ext) > 16 || len(ext) >= len(s) {
			ext = ""
		}
		stem := s[:len(s)-len(ext)]
		cut := maxNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(stem[cut]) {
			cut--
		}
		s = strings.TrimRight(stem[:cut], ". ") + ext
	}
	// Windows takes "nul.tar.gz" for the device too: the part before
	// the first dot counts.
	base, _, _ := strings.Cut(strings.ToUpper(s), ".")
	if reservedNames[strings.TrimRight(base, " ")] {
		s = "_" + s
	}
	return s
}

// reservedNames are the device names Windows refuses as file names,
// with any extension.
var reservedNames = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM0": true, "LPT0": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// DownloadsDir is the user's downloads folder: on Linux and other Unix
// systems XDG_DOWNLOAD_DIR, from the environment or the XDG user
// directories file (user-dirs.dirs), else ~/Downloads; ~/Downloads on
// Windows and macOS.
func DownloadsDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", ErrNoFolder
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if d := os.Getenv("XDG_DOWNLOAD_DIR"); filepath.IsAbs(d) {
			return d, nil
		}
		cfg := os.Getenv("XDG_CONFIG_HOME")
		if !filepath.IsAbs(cfg) {
			cfg = filepath.Join(home, ".config")
		}
		if b, err := os.ReadFile(filepath.Join(cfg, "user-dirs.dirs")); err == nil {
			if d := xdgDownloads(string(b), home); d != "" {
				return d, nil
			}
		}
	}
	return filepath.Join(home, "Downloads"), nil
}

// xdgDownloads reads XDG_DOWNLOAD_DIR from a user-dirs.dirs file: a line
// XDG_DOWNLOAD_DIR="$HOME/yyy" or "/yyy" (the only forms it holds);
// "" when it has none, or one that is the home folder itself (what the
// file says of a folder turned off).
func xdgDownloads(file, home string) string {
	for _, line := range strings.Split(file, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "XDG_DOWNLOAD_DIR=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			continue
		}
		v = strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok && (rest == "" || rest[0] == '/') {
			v = home + rest
		}
		if !filepath.IsAbs(v) || filepath.Clean(v) == filepath.Clean(home) {
			return ""
		}
		return filepath.Clean(v)
	}
	return ""
}

// Picture fetches the picture at url (a file message's, the person's
// consent given by a tap or by the preference for pictures from
// contacts) through the account's HTTPS client (its certificate
// verified as core.Hook.HTTPClient says), at most max bytes, and
// returns it through the bounded path as a PNG whose longest side is at
// most side (core/picture.FetchWith, and its errors).
// Only https: a picture is not fetched in the clear (ErrNotHTTPS).
func (u *Uploads) Picture(ctx context.Context, url string, max int64, side int) ([]byte, error) {
	if !strings.HasPrefix(strings.ToLower(url), "https://") {
		return nil, ErrNotHTTPS
	}
	return picture.FetchWith(ctx, u.httpClient(), url, max, side)
}
