// Package hostile makes the inputs a hostile peer or server can send, for
// the tests that prove Causerie bounds them: pictures that are small on
// the wire and huge once decoded, and messages that expand when handled.
package hostile

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
)

// PNG is a valid 1-bit greyscale PNG of w×h black pixels: about w×h/8000
// bytes on the wire (deflate of zeros), w×h bytes and more once decoded.
// PNG(16000, 16000) is the ~31 KB picture that made Causerie grow to
// 4.8 GiB when it came inline in a chat message.
func PNG(w, h int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 1 // bit depth 1, greyscale, no interlace
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+(w+7)/8) // filter byte 0, then zeros
	for range h {
		z.Write(row)
	}
	z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// BoBMessage is a chat message whose XHTML-IM body shows refs images that
// all name one XEP-0231 item of itemBytes bytes carried in the message:
// refs × itemBytes × 4/3 once each reference is inlined as a data: URI.
// BoBMessage(2000, 190<<10) is ~300 KB on the wire, ~500 MB expanded.
func BoBMessage(from string, refs, itemBytes int) []byte {
	var b bytes.Buffer
	b.WriteString(`<message xmlns='jabber:client' type='chat' id='bob-bomb' from='` + from + `'><body>look</body>`)
	b.WriteString(`<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p>`)
	for range refs {
		b.WriteString(`<img alt='a' src='cid:a'/>`)
	}
	b.WriteString(`</p></body></html><data xmlns='urn:xmpp:bob' cid='a' type='image/png'>`)
	item := PNG(64, 64)
	item = append(item, make([]byte, max(0, itemBytes-len(item)))...) // trailing bytes: still a PNG
	enc := base64.NewEncoder(base64.StdEncoding, &b)
	enc.Write(item)
	enc.Close()
	b.WriteString(`</data></message>`)
	return b.Bytes()
}
