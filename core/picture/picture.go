// Package picture is the one bounded path for pictures Causerie did not
// make: inline images of messages (XEP-0071 data: URIs, XEP-0231 cid:),
// remote images fetched with consent, contacts' avatars (XEP-0153,
// XEP-0084), vCard photos, CAPTCHA images (XEP-0158) and any later
// preview. Untrusted bytes are never decoded by anything else, and never
// handed to the GUI toolkit: it gets the small PNG this package encodes.
//
// A picture is first sniffed and its header read (image.DecodeConfig), so
// its format and pixel size are known before anything is allocated for
// its pixels; one that is too large (sides, pixels or decoded memory) is
// refused with ErrTooLarge and never decoded. SVG is never decoded, and
// bytes that sniff as SVG, HTML or XML are refused with ErrMismatch
// whatever type they were announced as. Then it is decoded and scaled
// down once to the size it is shown at.
package picture

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits bound what a picture may cost before it is decoded.
type Limits struct {
	// MaxBytes is the largest encoded picture accepted.
	MaxBytes int
	// MaxSide is the longest side, in pixels.
	MaxSide int
	// MaxPixels is the largest width × height.
	MaxPixels int
	// MaxMemory is the most decoding may take, in bytes, as cost
	// estimates it from the header (16-bit PNGs take 8 bytes a pixel,
	// paletted ones 1, a progressive JPEG 5 per plane pixel, ...).
	MaxMemory int
}

// Network are the limits of pictures from the network: at most
// 4096×4096, 16 Mpx and 96 MiB for the decoder (a 4096×4096 RGBA PNG
// takes 64 MiB; a progressive JPEG's coefficients and a lossless WebP's
// working pixels count too, see cost).
var Network = Limits{MaxBytes: 8 << 20, MaxSide: 4096, MaxPixels: 16 << 20, MaxMemory: 96 << 20}

// Local are the limits of a picture of the user's own, previewed before
// it is sent: a camera's photo (up to 48 Mpx, 12,000 pixels a side), at
// most 8 MiB and 200 MiB for the decoder.
var Local = Limits{MaxBytes: 8 << 20, MaxSide: 12000, MaxPixels: 48 << 20, MaxMemory: 200 << 20}

// Errors; each is wrapped with the detail (sizes, the format found).
var (
	// ErrTooLarge: the picture's file, sides, pixels or decoded memory
	// are over the limits. It was not decoded.
	ErrTooLarge = errors.New("picture: too large")
	// ErrNotPicture: not a PNG, JPEG, GIF or WebP image, or a broken one.
	ErrNotPicture = errors.New("picture: not a PNG, JPEG, GIF or WebP image")
	// ErrMismatch: the bytes are SVG, HTML or XML where a bitmap was
	// announced.
	ErrMismatch = errors.New("picture: the content is not the bitmap it was announced as")
)

// Info is what a picture's header says.
type Info struct {
	Format        string // "png", "jpeg", "gif" or "webp"
	Width, Height int
}

// MIME is the picture's media type, e.g. "image/png".
func (i Info) MIME() string { return "image/" + i.Format }

// formats are the decoders of the bounded path, by the name
// image.DecodeConfig reports. Only these are ever used.
var formats = map[string]struct {
	config func([]byte) (image.Config, error)
	decode func([]byte) (image.Image, error)
}{
	"png": {
		func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) },
	},
	"jpeg": {
		func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) },
	},
	"gif": { // the first frame only
		func(b []byte) (image.Config, error) { return gif.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return gif.Decode(bytes.NewReader(b)) },
	},
	"webp": {
		func(b []byte) (image.Config, error) { return webp.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return webp.Decode(bytes.NewReader(b)) },
	},
}

// sniff names the format from the magic bytes; "" when none of ours.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("\xff\xd8")):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	}
	return ""
}

// markup reports whether b looks like SVG, HTML or any XML: a picture
// format the toolkit would render as a document, never accepted here.
func markup(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n\f")
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	for _, p := range []string{"<?xml", "<svg", "<!doctype", "<html", "<!--"} {
		if strings.HasPrefix(head, p) {
			return true
		}
	}
	return strings.Contains(head, "<svg")
}

// Check reads only the picture's header: its format and size, checked
// against l. announced is the media type it came with ("" if none); it
// is only used to explain a mismatch, the bytes decide the format.
func Check(data []byte, announced string, l Limits) (Info, error) {
	if markup(data) || strings.Contains(strings.ToLower(announced), "svg") {
		return Info{}, fmt.Errorf("%w (announced %q)", ErrMismatch, announced)
	}
	if l.MaxBytes > 0 && len(data) > l.MaxBytes {
		return Info{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(data), l.MaxBytes)
	}
	format := sniff(data)
	f, ok := formats[format]
	if !ok {
		return Info{}, ErrNotPicture
	}
	cfg, err := f.config(data)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrNotPicture, err)
	}
	info := Info{Format: format, Width: cfg.Width, Height: cfg.Height}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return info, fmt.Errorf("%w: %d×%d pixels", ErrNotPicture, cfg.Width, cfg.Height)
	}
	if format == "webp" {
		// An extended WebP's header gives the canvas; its frame, which
		// is what gets decoded, says its own size: they must agree.
		w, h, _, ok := webpFrame(data)
		if !ok || w != cfg.Width || h != cfg.Height {
			return info, fmt.Errorf("%w: a WebP whose frame (%d×%d) is not its canvas (%d×%d)", ErrMismatch, w, h, cfg.Width, cfg.Height)
		}
	}
	if err := l.fits(cfg, cost(format, data, cfg)); err != nil {
		return info, err
	}
	return info, nil
}

// fits checks a header's size, and what decoding it costs, against the
// limits, with no overflow.
func (l Limits) fits(cfg image.Config, cost int64) error {
	w, h := int64(cfg.Width), int64(cfg.Height)
	tooLarge := func(why string) error {
		return fmt.Errorf("%w: %d×%d pixels (%s)", ErrTooLarge, w, h, why)
	}
	if l.MaxSide > 0 && max(w, h) > int64(l.MaxSide) {
		return tooLarge(fmt.Sprintf("longest side at most %d", l.MaxSide))
	}
	if l.MaxPixels > 0 && w*h > int64(l.MaxPixels) {
		return tooLarge(fmt.Sprintf("at most %d pixels", l.MaxPixels))
	}
	if l.MaxMemory > 0 && cost > int64(l.MaxMemory) {
		return tooLarge(fmt.Sprintf("decoded at most %d MiB", l.MaxMemory>>20))
	}
	return nil
}

// slot lets one picture be decoded and scaled at a time in the whole
// process (avatars, message images, previews...): the memory the limits
// allow is for one.
var slot = make(chan struct{}, 1)

// Decode checks the picture (Check) and only then decodes it.
func Decode(data []byte, announced string, l Limits) (image.Image, Info, error) {
	slot <- struct{}{}
	defer func() { <-slot }()
	return decode(data, announced, l)
}

// decode is Decode while holding the slot. A decoder that panics on
// malformed input (a bug of its own) fails this picture, not the app.
func decode(data []byte, announced string, l Limits) (img image.Image, info Info, err error) {
	info, err = Check(data, announced, l)
	if err != nil {
		return nil, info, err
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: the %s decoder failed: %v", ErrNotPicture, info.Format, r)
		}
	}()
	img, err = formats[info.Format].decode(data)
	if err != nil {
		return nil, info, fmt.Errorf("%w: %v", ErrNotPicture, err)
	}
	if b := img.Bounds(); b.Dx() != info.Width || b.Dy() != info.Height {
		// A frame smaller than the header said: shown as decoded.
		info.Width, info.Height = b.Dx(), b.Dy()
	}
	return img, info, nil
}

// Thumbnail checks and decodes a picture from the network (Network
// limits) and returns it as a PNG whose longest side is at most side,
// with its size: the only form in which such a picture reaches the GUI.
func Thumbnail(data []byte, announced string, side int) (png []byte, w, h int, err error) {
	return ThumbnailWithin(data, announced, side, Network)
}

// ThumbnailWithin is Thumbnail with other limits (a file the user picks
// may be larger than what the network may send).
func ThumbnailWithin(data []byte, announced string, side int, l Limits) ([]byte, int, int, error) {
	slot <- struct{}{}
	defer func() { <-slot }()
	img, _, err := decode(data, announced, l)
	if err != nil {
		return nil, 0, 0, err
	}
	out := Scale(img, side)
	b, err := EncodePNG(out)
	if err != nil {
		return nil, 0, 0, err
	}
	return b, out.Bounds().Dx(), out.Bounds().Dy(), nil
}

// Scale returns img scaled so its longest side is at most side (never
// up). A large reduction halves the picture until it is within twice the
// size (each halving averages the pixels it merges, so nothing aliases),
// then scales it to the size: smoothly (Catmull-Rom) when that is cheap,
// bilinearly otherwise. Memory: the halvings take a third of the source
// in all, at 4 bytes a pixel.
func Scale(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	long := max(w, h)
	if long <= side || side <= 0 {
		return img
	}
	src, sb := img, b
	for max(sb.Dx(), sb.Dy()) > 2*side {
		half := image.NewRGBA(image.Rect(0, 0, max(1, sb.Dx()/2), max(1, sb.Dy()/2)))
		draw.ApproxBiLinear.Scale(half, half.Bounds(), src, sb, draw.Src, nil)
		src, sb = half, half.Bounds()
	}
	dst := image.NewRGBA(image.Rect(0, 0, max(1, (w*side+long/2)/long), max(1, (h*side+long/2)/long)))
	// The kernel's scratch is 32 bytes per dst column × src row.
	var scaler draw.Scaler = draw.CatmullRom
	if dst.Bounds().Dx()*sb.Dy()*32 > 8<<20 {
		scaler = draw.ApproxBiLinear
	}
	scaler.Scale(dst, dst.Bounds(), src, sb, draw.Src, nil)
	return dst
}

// EncodePNG encodes an image this package produced (or any trusted one).
func EncodePNG(img image.Image) ([]byte, error) {
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("picture: encode: %w", err)
	}
	return out.Bytes(), nil
}
