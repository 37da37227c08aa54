package picture

import (
	"encoding/binary"
	"image"
	"image/color"
)

// cost estimates from a picture's header what decoding it allocates, in
// bytes: the decoded pixels, and what the decoder needs besides them (a
// progressive JPEG keeps every coefficient, 4 bytes a plane pixel; an
// interlaced PNG decodes each pass into an image of its own; a lossless
// WebP works on 32-bit pixels through its transforms). It errs high.
func cost(format string, data []byte, cfg image.Config) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	switch format {
	case "jpeg":
		if c, ok := jpegCost(data); ok {
			return c
		}
		return 20 * px // unreadable layout: the worst (progressive CMYK)
	case "png":
		n := px * bytesPerPixel(cfg.ColorModel)
		if len(data) > 28 && data[28] == 1 { // IHDR interlace method: Adam7
			n *= 2
		}
		return n
	case "webp":
		if _, _, lossless, ok := webpFrame(data); ok && !lossless {
			return 3 * px // Y'CbCr 4:2:0 and an alpha plane
		}
		return 12 * px
	}
	return px * bytesPerPixel(cfg.ColorModel)
}

// bytesPerPixel is what a decoded pixel of the model takes.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.YCbCrModel:
		return 3 // at worst 4:4:4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// jpegCost reads a JPEG's frame header (SOF): its components and their
// sampling, and whether it is progressive. The decoded planes take a
// byte a plane pixel; a progressive JPEG also keeps 4 bytes of
// coefficients a plane pixel; a four-component one is converted to CMYK,
// 4 bytes a pixel more.
func jpegCost(b []byte) (int64, bool) {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return 0, false
		}
		m := b[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0xd8 || m == 0x01 || m >= 0xd0 && m <= 0xd7: // no length
			i += 2
			continue
		case m == 0xda || m == 0xd9: // scan or end before any frame
			return 0, false
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return 0, false
		}
		seg := b[i+4 : i+2+n]
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			return sofCost(seg, m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce)
		}
		i += 2 + n
	}
	return 0, false
}

// sofCost is jpegCost's sum over a frame header's components.
func sofCost(seg []byte, progressive bool) (int64, bool) {
	if len(seg) < 6 {
		return 0, false
	}
	h, w, nc := int64(binary.BigEndian.Uint16(seg[1:])), int64(binary.BigEndian.Uint16(seg[3:])), int(seg[5])
	if nc == 0 || len(seg) < 6+3*nc {
		return 0, false
	}
	var maxH, maxV int64 = 1, 1
	for k := range nc {
		hv := seg[6+3*k+1]
		maxH, maxV = max(maxH, int64(hv>>4)), max(maxV, int64(hv&15))
	}
	// Planes are whole 8×8 blocks of each component's size.
	var planes int64
	for k := range nc {
		hv := seg[6+3*k+1]
		pw := (w*max(1, int64(hv>>4))+maxH-1)/maxH + 7
		ph := (h*max(1, int64(hv&15))+maxV-1)/maxV + 7
		planes += (pw &^ 7) * (ph &^ 7)
	}
	c := planes
	if progressive {
		c += 4 * planes
	}
	if nc == 4 {
		c += 4 * w * h
	}
	return c, true
}

// webpFrame reads the size of a WebP's first frame, from its VP8 (lossy)
// or VP8L (lossless) chunk, wherever it is among the file's chunks.
func webpFrame(b []byte) (w, h int, lossless, ok bool) {
	if len(b) < 12 {
		return 0, 0, false, false
	}
	for i := 12; i+8 <= len(b); {
		id, n := string(b[i:i+4]), int(binary.LittleEndian.Uint32(b[i+4:]))
		body := b[i+8:]
		if n < 0 || n > len(body) {
			n = len(body) // a cut file: read what there is
		}
		body = body[:n]
		switch id {
		case "VP8 ":
			// Frame tag (3 bytes), start code 9d 01 2a, 14-bit sizes.
			if len(body) < 10 || body[3] != 0x9d || body[4] != 0x01 || body[5] != 0x2a {
				return 0, 0, false, false
			}
			return int(binary.LittleEndian.Uint16(body[6:]) & 0x3fff), int(binary.LittleEndian.Uint16(body[8:]) & 0x3fff), false, true
		case "VP8L":
			if len(body) < 5 || body[0] != 0x2f {
				return 0, 0, false, false
			}
			bits := binary.LittleEndian.Uint32(body[1:])
			return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1, true, true
		}
		i += 8 + n + n&1
	}
	return 0, 0, false, false
}
