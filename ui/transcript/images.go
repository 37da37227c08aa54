package transcript

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/causerie/causerie/core/picture"
)

// Images prepares the pictures messages show: inline data: images
// (XEP-0071, and the XEP-0231 cid: images core turned into data: URIs),
// and remote images fetched only when the person asked (a fetch tells the
// sender that and when the message was read: XEP-0071 §11.2). Every one
// goes through the bounded path (core/picture) off the UI goroutine: its
// size is checked from its header before it is decoded, a too large one
// becomes a placeholder, and Fyne only ever loads the small PNG that path
// encoded, written to the cache directory.
type Images struct {
	dir string
	// ready is told (off the UI goroutine) that an image finished
	// preparing, so the transcripts showing it are drawn again.
	ready func()

	mu      sync.Mutex
	entries map[imageKey]*imageEntry
	loading map[imageKey]bool
	// tried: local copies (by src and path) that could not be shown
	// (gone, changed), not read again
	tried map[string]bool
}

// imageKey names an image by its src (a data: URI can be large; its hash
// is kept instead).
type imageKey [sha256.Size]byte

// imageStatus is where an image stands.
type imageStatus int

const (
	// imageAbsent: nothing to show but the alt text (a cid: image the
	// message did not carry, a remote one not loaded).
	imageAbsent imageStatus = iota
	// imagePreparing: being checked and scaled in the background.
	imagePreparing
	// imageShown: uri is the prepared picture.
	imageShown
	// imageTooLarge: refused from its header (or byte count), not decoded.
	imageTooLarge
	// imageBroken: not a picture we show (not PNG/JPEG/GIF/WebP, an SVG in
	// disguise, damaged).
	imageBroken
)

// imageEntry is an image's state, with its prepared file once shown,
// and the size it shows at.
type imageEntry struct {
	status imageStatus
	uri    fyne.URI
	size   fyne.Size
}

// maxShownSide is the longest side of the PNG Fyne gets. Fyne shows
// rich-text images at half their pixel size (it assumes HiDPI), so at
// most 400 logical pixels.
const maxShownSide = 800

// NewImages makes an image cache writing its pictures to dir; ready is
// called (off the UI goroutine) each time an image finished preparing,
// so that the transcripts showing it are drawn again.
func NewImages(dir string, ready func()) *Images {
	return &Images{dir: dir, ready: ready, entries: map[imageKey]*imageEntry{}, loading: map[imageKey]bool{}, tried: map[string]bool{}}
}

// Dir is the directory the prepared pictures are written to ("" when
// there is none: nothing is shown).
func (c *Images) Dir() string { return c.dir }

func keyOf(src string) imageKey { return sha256.Sum256([]byte(src)) }

// get returns what can be shown of src now, without blocking: a data:
// image not seen before starts preparing in the background (ready is
// called when it is done).
func (c *Images) get(src string) imageEntry {
	k := keyOf(src)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.known(k); ok {
		return e
	}
	if !strings.HasPrefix(src, "data:") {
		return imageEntry{}
	}
	c.entries[k] = &imageEntry{status: imagePreparing}
	go c.prepareInline(k, src)
	return imageEntry{status: imagePreparing}
}

// known is where image k stands when it is prepared or being fetched
// or prepared; c.mu is held.
func (c *Images) known(k imageKey) (imageEntry, bool) {
	if e, ok := c.entries[k]; ok {
		return *e, true
	}
	if c.loading[k] {
		return imageEntry{status: imagePreparing}, true
	}
	return imageEntry{}, false
}

// local is what can be shown of src, a file message's picture, from
// its copy on this computer at path (the one we sent, or downloaded):
// prepared in the background through the bounded path, with the limits
// of the user's own pictures when own, else of the network's.
func (c *Images) local(src, path string, own bool) imageEntry {
	k := keyOf(src)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.known(k); ok {
		return e
	}
	if c.tried[src+"\x00"+path] {
		return imageEntry{}
	}
	c.loading[k] = true
	go func() {
		e := c.store(k, func() ([]byte, error) {
			l := picture.Network
			if own {
				l = picture.Local
			}
			b, err := readAtMost(path, l.MaxBytes)
			if err != nil {
				return nil, err
			}
			out, _, _, err := picture.ThumbnailWithin(b, "", maxShownSide, l)
			return out, err
		})
		c.mu.Lock()
		delete(c.loading, k)
		if e.status == imageBroken {
			// The copy may be gone: its address can still be tried, and
			// the row is drawn again to offer that.
			c.tried[src+"\x00"+path] = true
			c.mu.Unlock()
			if c.ready != nil {
				c.ready()
			}
			return
		}
		c.mu.Unlock()
		c.set(k, e)
	}()
	return imageEntry{status: imagePreparing}
}

// readAtMost reads the file at path, ErrTooLarge past max bytes.
func readAtMost(path string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > max {
		return nil, picture.ErrTooLarge
	}
	return b, nil
}

// prepareInline decodes a data: image's bytes and prepares them.
func (c *Images) prepareInline(k imageKey, src string) {
	e := imageEntry{status: imageBroken}
	head, data, ok := strings.Cut(strings.TrimPrefix(src, "data:"), ",")
	mime, isB64 := strings.CutSuffix(head, ";base64")
	if ok && isB64 {
		if base64.StdEncoding.DecodedLen(len(data)) > picture.Network.MaxBytes {
			e.status = imageTooLarge
		} else if b, err := base64.StdEncoding.DecodeString(data); err == nil {
			e = c.prepare(k, b, mime)
		}
	}
	c.set(k, e)
}

// prepare runs bytes from the network through the bounded path and writes
// the PNG it makes to the cache directory.
func (c *Images) prepare(k imageKey, b []byte, mime string) imageEntry {
	return c.store(k, func() ([]byte, error) {
		out, _, _, err := picture.Thumbnail(b, mime, maxShownSide)
		return out, err
	})
}

// store writes the PNG that produce returns (through the bounded path) to
// the cache directory, unless it is there already.
func (c *Images) store(k imageKey, produce func() ([]byte, error)) imageEntry {
	if c.dir == "" {
		return imageEntry{status: imageBroken}
	}
	path := filepath.Join(c.dir, "shown-"+hex.EncodeToString(k[:16])+".png")
	if f, err := os.Open(path); err == nil {
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err == nil {
			return shown(path, cfg)
		}
	}
	out, err := produce()
	switch {
	case errors.Is(err, picture.ErrTooLarge):
		return imageEntry{status: imageTooLarge}
	case err != nil:
		return imageEntry{status: imageBroken}
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(out))
	if err != nil {
		return imageEntry{status: imageBroken}
	}
	if err := writeFileAtomic(path, out); err != nil {
		fyne.LogError("image cache", err)
		return imageEntry{status: imageBroken}
	}
	return shown(path, cfg)
}

// shown is the entry of a picture prepared at path. It shows at half its
// pixels (as Fyne's own rich-text images: it assumes HiDPI), a size known
// before it is drawn, so that the row it is in is measured right.
func shown(path string, cfg image.Config) imageEntry {
	return imageEntry{status: imageShown, uri: storage.NewFileURI(path), size: fyne.NewSize(float32(cfg.Width)/2, float32(cfg.Height)/2)}
}

// set records an image's outcome and says it is ready.
func (c *Images) set(k imageKey, e imageEntry) {
	c.mu.Lock()
	c.entries[k] = &e
	c.mu.Unlock()
	if c.ready != nil {
		c.ready()
	}
}

// writeFileAtomic writes a file whole or not at all.
func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// Fetch downloads a remote image the person asked for and prepares it
// (off the UI goroutine): core/picture fetches it (bytes capped,
// redirects only within its host) through the bounded path. A too large
// one is recorded as such; a failed download is returned, and the image
// can be asked for again.
func (c *Images) Fetch(src string) error {
	return c.FetchWith(src, func() ([]byte, error) {
		return picture.Fetch(context.Background(), src, maxShownSide)
	})
}

// FetchWith is Fetch with get doing the fetch (core/picture.FetchWith's
// contract: a PNG through the bounded path, at most MaxShownSide).
func (c *Images) FetchWith(src string, get func() ([]byte, error)) error {
	k := keyOf(src)
	c.mu.Lock()
	if c.loading[k] || c.entries[k] != nil {
		c.mu.Unlock()
		return nil
	}
	c.loading[k] = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.loading, k)
		c.mu.Unlock()
	}()
	var fetchErr error
	e := c.store(k, func() ([]byte, error) {
		out, err := get()
		if errors.Is(err, picture.ErrFetch) {
			fetchErr = err
		}
		return out, err
	})
	if fetchErr != nil {
		return fetchErr // not recorded: it may work next time
	}
	c.set(k, e)
	if e.status == imageBroken {
		return errors.New("image: not a picture that can be shown")
	}
	return nil
}

// MaxShownSide is the longest side of the pictures Images prepares.
const MaxShownSide = maxShownSide
