package assets

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"image/png"
	"os"
	"testing"

	"fyne.io/fyne/v2"
)

func TestIconIs512PNG(t *testing.T) {
	if Icon.Name() != "icon.png" {
		t.Errorf("Icon.Name() = %q, want icon.png", Icon.Name())
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(Icon.Content()))
	if err != nil {
		t.Fatalf("icon is not a PNG: %v", err)
	}
	if cfg.Width != 512 || cfg.Height != 512 {
		t.Errorf("icon is %d×%d, want 512×512", cfg.Width, cfg.Height)
	}
}

func TestIconSizes(t *testing.T) {
	for _, c := range []struct {
		r    fyne.Resource
		size int
	}{{LargeIcon, 256}, {WindowIcon, 128}, {TrayIcon, 64}} {
		cfg, err := png.DecodeConfig(bytes.NewReader(c.r.Content()))
		if err != nil {
			t.Fatalf("%s is not a PNG: %v", c.r.Name(), err)
		}
		if cfg.Width != c.size || cfg.Height != c.size {
			t.Errorf("%s is %d×%d, want %d×%d", c.r.Name(), cfg.Width, cfg.Height, c.size, c.size)
		}
	}
}

func TestPresenceIcons(t *testing.T) {
	if len(PresenceIcons) != len(PresenceShows) {
		t.Fatalf("%d presence icons, want %d", len(PresenceIcons), len(PresenceShows))
	}
	seen := map[string]bool{}
	for _, show := range PresenceShows {
		r := PresenceIcons[show]
		if r == nil {
			t.Fatalf("no icon for %q", show)
		}
		if r.Name() != "presence-"+show+".svg" {
			t.Errorf("icon for %q is named %q", show, r.Name())
		}
		var svg struct {
			XMLName xml.Name
			ViewBox string `xml:"viewBox,attr"`
		}
		if err := xml.Unmarshal(r.Content(), &svg); err != nil {
			t.Errorf("%s: not XML: %v", show, err)
		}
		if svg.XMLName.Local != "svg" || svg.ViewBox != "0 0 16 16" {
			t.Errorf("%s: root <%s viewBox=%q>, want <svg viewBox=\"0 0 16 16\">", show, svg.XMLName.Local, svg.ViewBox)
		}
		if seen[string(r.Content())] {
			t.Errorf("%s: same picture as another show", show)
		}
		seen[string(r.Content())] = true
		if PresenceIcon(show) != r {
			t.Errorf("PresenceIcon(%q) is not PresenceIcons[%q]", show, show)
		}
	}
	if PresenceIcon("") != PresenceIcons[PresenceAvailable] || PresenceIcon("bogus") != PresenceIcons[PresenceAvailable] {
		t.Error("PresenceIcon of an empty or unknown show is not the available icon")
	}
}

func TestMessageSoundIsShortPCMWAV(t *testing.T) {
	b := MessageSound
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("not a RIFF/WAVE file (%d bytes)", len(b))
	}
	// Walk the chunks for fmt and data.
	var format, channels, bits uint16
	var rate, dataLen uint32
	for off := 12; off+8 <= len(b); {
		id, size := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:]))
		body := b[off+8:]
		switch id {
		case "fmt ":
			format = binary.LittleEndian.Uint16(body[0:])
			channels = binary.LittleEndian.Uint16(body[2:])
			rate = binary.LittleEndian.Uint32(body[4:])
			bits = binary.LittleEndian.Uint16(body[14:])
		case "data":
			dataLen = uint32(size)
		}
		off += 8 + size + size%2
	}
	if format != 1 && format != 0xFFFE || channels != 1 || bits != 16 || rate != 44100 {
		t.Errorf("format %d, %d channel(s), %d bits, %d Hz; want PCM mono 16-bit 44100 Hz", format, channels, bits, rate)
	}
	ms := float64(dataLen) / 2 / float64(rate) * 1000
	if ms < 120 || ms > 250 {
		t.Errorf("sound lasts %.0f ms, want about 150", ms)
	}
	if MessageSoundResource.Name() != "message.wav" || len(MessageSoundResource.Content()) != len(b) {
		t.Error("MessageSoundResource is not MessageSound")
	}
}

// The committed renderings of icon.svg (make assets) are there at each size.
func TestAppIconSizes(t *testing.T) {
	for _, s := range []int{16, 22, 24, 32, 48, 64, 128, 256, 512} {
		name := fmt.Sprintf("appicon/icon-%dx%d.png", s, s)
		b, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%v (run make assets)", err)
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width != s || cfg.Height != s {
			t.Errorf("%s: %d×%d, %v; want %d×%d PNG", name, cfg.Width, cfg.Height, err, s, s)
		}
		if s == 512 && !bytes.Equal(b, Icon.Content()) {
			t.Errorf("%s differs from icon.png (run make assets)", name)
		}
	}
	if !bytes.Contains(IconSVG.Content(), []byte("<svg")) {
		t.Error("IconSVG is not an SVG")
	}
}
