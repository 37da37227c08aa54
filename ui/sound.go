package ui

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// The new-message sound: Fyne has no audio, so the sound (a short
// two-note chime, made once) is played by the system's player when there
// is one: paplay, pw-play or aplay on Linux, afplay on macOS, PowerShell's
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

// chime is a 16-bit mono WAV: two notes (E6 then A6) with a soft decay.
func chime() []byte {
	const rate = 22050
	notes := []struct {
		freq float64
		dur  time.Duration
	}{{1318.5, 90 * time.Millisecond}, {1760, 140 * time.Millisecond}}
	var pcm []int16
	for _, n := range notes {
		count := int(float64(rate) * n.dur.Seconds())
		for i := 0; i < count; i++ {
			t := float64(i) / rate
			env := math.Exp(-t*18) * math.Min(1, float64(i)/60)
			pcm = append(pcm, int16(0.35*32767*env*math.Sin(2*math.Pi*n.freq*t)))
		}
	}
	var b bytes.Buffer
	data := len(pcm) * 2
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+data))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(rate * 2), uint16(2), uint16(16)})
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(data))
	binary.Write(&b, binary.LittleEndian, pcm)
	return b.Bytes()
}

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
		if soundPlayer == nil || a.images == nil || a.images.dir == "" {
			return
		}
		dir := filepath.Dir(a.images.dir)
		if os.MkdirAll(dir, 0o700) == nil {
			f := filepath.Join(dir, "message.wav")
			if os.WriteFile(f, chime(), 0o600) == nil {
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
