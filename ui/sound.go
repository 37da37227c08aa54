package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/causerie/causerie/assets"
)

// The new-message sound: Fyne has no audio, so the sound (the chime
// embedded in assets) is played by the system's player when there is
// one: paplay, pw-play or aplay on Linux, afplay on macOS, PowerShell's
// SoundPlayer on Windows. Without one, nothing plays; nothing fails.

// prefSounds turns the sound on or off.
const prefSounds = "sounds"

var (
	soundOnce   sync.Once
	soundFile   string
	soundPlayer []string
	soundMu     sync.Mutex
	soundLast   time.Time
)

// findPlayer is the command that plays a WAV file here, or nil.
func findPlayer() []string {
	switch runtime.GOOS {
	case "darwin":
		return []string{"afplay"}
	case "windows":
		return []string{"powershell", "-NoProfile", "-NonInteractive", "-Command", "(New-Object Media.SoundPlayer $args[0]).PlaySync()"}
	}
	for _, p := range [][]string{{"paplay"}, {"pw-play"}, {"aplay", "-q"}} {
		if _, err := exec.LookPath(p[0]); err == nil {
			return p
		}
	}
	return nil
}

// playSound plays the chime in the background, at most every 2 s (a
// burst of messages rings once).
func playSound(a *App) {
	soundOnce.Do(func() {
		soundPlayer = findPlayer()
		if soundPlayer == nil || a.images == nil || a.images.Dir() == "" {
			return
		}
		dir := filepath.Dir(a.images.Dir())
		if os.MkdirAll(dir, 0o700) == nil {
			f := filepath.Join(dir, "message.wav")
			if os.WriteFile(f, assets.MessageSound, 0o600) == nil {
				soundFile = f
			}
		}
	})
	if soundFile == "" {
		return
	}
	soundMu.Lock()
	if time.Since(soundLast) < 2*time.Second {
		soundMu.Unlock()
		return
	}
	soundLast = time.Now()
	soundMu.Unlock()
	args := append(append([]string(nil), soundPlayer[1:]...), soundFile)
	go exec.Command(soundPlayer[0], args...).Run()
}
