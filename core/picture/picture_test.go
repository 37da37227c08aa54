package picture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"

	"github.com/causerie/causerie/internal/hostile"
)

// Bomb is hostile.PNG, for the table's brevity.
func Bomb(tb testing.TB, w, h int) []byte { return hostile.PNG(w, h) }

func encoded(tb testing.TB, img image.Image, format string) []byte {
	tb.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, nil)
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

// allocated runs f and returns the bytes it allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBombRefusedBeforeDecoding: the 16000×16000 PNG of the report (31 KB
// on the wire, 256 MB decoded, more once the toolkit converts it) is
// refused from its header, allocating almost nothing.
func TestBombRefusedBeforeDecoding(t *testing.T) {
	bomb := Bomb(t, 16000, 16000)
	t.Logf("bomb: %d bytes", len(bomb))
	var err error
	n := allocated(func() { _, _, _, err = Thumbnail(bomb, "image/png", 800) })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if n > 1<<20 {
		t.Fatalf("refusing it allocated %d bytes", n)
	}
	t.Logf("refused with %v after allocating %d bytes", err, n)
}

func TestLimits(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"4096×4096 1-bit", Bomb(t, 4096, 4096), nil},
		{"4097×16, a side too long", Bomb(t, 4097, 16), ErrTooLarge},
		{"16 Mpx and one row more", Bomb(t, 4096, 4097), ErrTooLarge},
		{"2× the pixels in a long strip", Bomb(t, 4096, 8192), ErrTooLarge},
		{"zero width", Bomb(t, 0, 10), ErrNotPicture},
		// 16-bit RGBA: 8 bytes a pixel, 4000×4000 is 128 MB decoded.
		{"4000×4000 of 16-bit RGBA", rgba64Header(4000, 4000), ErrTooLarge},
		{"3000×3000 of 16-bit RGBA", rgba64Header(3000, 3000), nil},
		// A progressive JPEG keeps its coefficients: 4096×4096 in full
		// colour is ~320 MB to decode; baseline 4:2:0 ~25 MB.
		{"progressive 4096×4096 JPEG, 4:4:4", jpegHeader(0xc2, 4096, 4096, 0x11, 0x11, 0x11), ErrTooLarge},
		{"progressive 4096×4096 JPEG, 4:2:0", jpegHeader(0xc2, 4096, 4096, 0x22, 0x11, 0x11), ErrTooLarge},
		{"progressive 2048×2048 JPEG, 4:2:0", jpegHeader(0xc2, 2048, 2048, 0x22, 0x11, 0x11), nil},
		{"baseline 4096×4096 JPEG, 4:2:0", jpegHeader(0xc0, 4096, 4096, 0x22, 0x11, 0x11), nil},
		{"baseline 4096×4096 CMYK JPEG", jpegHeader(0xc0, 4096, 4096, 0x11, 0x11, 0x11, 0x11), ErrTooLarge},
		// An extended WebP whose canvas says 1×1 and whose frame is
		// 16384×16384 (about 1 GiB to decode).
		{"WebP canvas 1×1, frame 16384×16384", vp8x(1, 1, 16384, 16384), ErrMismatch},
		{"WebP canvas and frame 100×100", vp8x(100, 100, 100, 100), nil},
		{"VP8L 16384×16384", vp8l(16384, 16384), ErrTooLarge},
		{"SVG announced as PNG", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999"/>`), ErrMismatch},
		{"SVG with a BOM and spaces", []byte("\xef\xbb\xbf \n<svg width='1'/>"), ErrMismatch},
		{"HTML", []byte("<!DOCTYPE html><html><body><img src=x></body></html>"), ErrMismatch},
		{"text", []byte("just some text"), ErrNotPicture},
		{"empty", nil, ErrNotPicture},
		{"a PNG header cut short", Bomb(t, 10, 10)[:20], ErrNotPicture},
	} {
		_, err := Check(c.data, "image/png", Network)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := Check(encoded(t, gradient(4, 4), "png"), "image/svg+xml", Network); !errors.Is(err, ErrMismatch) {
		t.Errorf("a PNG announced as SVG: %v, want ErrMismatch", err)
	}
	if _, err := Check(bytes.Repeat([]byte{0x89}, 100), "", Limits{MaxBytes: 50}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over MaxBytes: %v", err)
	}
}

// rgba64Header is the header of a 16-bit RGBA PNG (no pixel data: the
// check must not need any).
func rgba64Header(w, h int) []byte {
	b := Bomb(&testing.T{}, 1, 1)
	ihdr := b[16:29]
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// jpegHeader is a JPEG's start and frame header (SOFn marker sof) with a
// component per sampling factor hv (0x22 is 2×2): enough for the check.
func jpegHeader(sof byte, w, h int, hv ...byte) []byte {
	b := []byte{0xff, 0xd8, 0xff, sof}
	seg := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(hv))}
	for i, f := range hv {
		seg = append(seg, byte(i+1), f, 0)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(seg)+2))
	return append(append(b, seg...), 0xff, 0xda, 0, 2) // then a scan
}

// vp8x is an extended WebP saying its canvas is cw×ch, with a lossless
// frame of fw×fh.
func vp8x(cw, ch, fw, fh int) []byte {
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+18+13))
	b.WriteString("WEBPVP8X")
	binary.Write(&b, binary.LittleEndian, uint32(10))
	b.Write([]byte{0, 0, 0, 0, byte(cw - 1), byte((cw - 1) >> 8), byte((cw - 1) >> 16), byte(ch - 1), byte((ch - 1) >> 8), byte((ch - 1) >> 16)})
	b.WriteString("VP8L")
	binary.Write(&b, binary.LittleEndian, uint32(5))
	b.WriteByte(0x2f)
	binary.Write(&b, binary.LittleEndian, uint32(fw-1)|uint32(fh-1)<<14)
	b.WriteByte(0) // padding to an even size
	return b.Bytes()
}

// vp8l is the header of a lossless WebP of w×h pixels.
func vp8l(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+5))
	b.WriteString("WEBPVP8L")
	binary.Write(&b, binary.LittleEndian, uint32(5))
	b.WriteByte(0x2f)
	binary.Write(&b, binary.LittleEndian, bits)
	return b.Bytes()
}

// TestThumbnail: each format comes out as a PNG no larger than asked,
// with its proportions; a small one keeps its size.
func TestThumbnail(t *testing.T) {
	for _, format := range []string{"png", "jpeg", "gif"} {
		data := encoded(t, gradient(1200, 600), format)
		out, w, h, err := Thumbnail(data, "image/"+format, 400)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		cfg, got, err := image.DecodeConfig(bytes.NewReader(out))
		if err != nil || got != "png" || cfg.Width != 400 || cfg.Height != 200 || w != 400 || h != 200 {
			t.Errorf("%s: thumbnail %s %d×%d (%d×%d), %v", format, got, cfg.Width, cfg.Height, w, h, err)
		}
	}
	_, w, h, err := Thumbnail(encoded(t, gradient(30, 20), "png"), "", 400)
	if err != nil || w != 30 || h != 20 {
		t.Errorf("small: %d×%d, %v", w, h, err)
	}
}

// TestLargestAllowedIsBounded: the largest picture the limits let
// through (4096×4096 in colour) is decoded and scaled within the memory
// the limits promise.
func TestLargestAllowedIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 16 Mpx picture")
	}
	data := encoded(t, gradient(4096, 4096), "png")
	var err error
	n := allocated(func() { _, _, _, err = Thumbnail(data, "image/png", 800) })
	if err != nil {
		t.Fatal(err)
	}
	if n > 100<<20 {
		t.Fatalf("a 4096×4096 picture took %d MiB to thumbnail", n>>20)
	}
	t.Logf("4096×4096 RGBA: %d MiB allocated", n>>20)
}

// FuzzThumbnail feeds arbitrary bytes to the bounded path: it never
// panics, and whatever it returns is a PNG within the asked size.
func FuzzThumbnail(f *testing.F) {
	f.Add(encoded(f, gradient(20, 10), "png"))
	f.Add(encoded(f, gradient(20, 10), "jpeg"))
	f.Add(encoded(f, gradient(20, 10), "gif"))
	f.Add(Bomb(f, 5000, 5000))
	f.Add(vp8l(20, 20))
	f.Add([]byte(`<svg/>`))
	f.Add(vp8x(1, 1, 16384, 16384))
	f.Add(jpegHeader(0xc2, 4096, 4096, 0x11, 0x11, 0x11))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, w, h, err := Thumbnail(data, "", 64)
		if err != nil {
			return
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(out))
		if err != nil || format != "png" || cfg.Width != w || cfg.Height != h || max(w, h) > 64 {
			t.Fatalf("thumbnail %s %d×%d (said %d×%d): %v", format, cfg.Width, cfg.Height, w, h, err)
		}
	})
}

// BenchmarkThumbnail: what preparing a picture from the network costs:
// an ordinary photo, the largest one the limits let through, and the
// report's 16000×16000 bomb (refused from its header).
func BenchmarkThumbnail(b *testing.B) {
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"photo-1200x800-jpeg", encoded(b, gradient(1200, 800), "jpeg")},
		{"largest-4096x4096-png", encoded(b, gradient(4096, 4096), "png")},
		{"bomb-16000x16000-refused", Bomb(b, 16000, 16000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Thumbnail(c.data, "", 800)
			}
		})
	}
}
