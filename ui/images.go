package ui

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

// imageCache holds the images messages show, as files in a cache
// directory: inline data: images (XEP-0071 with data URIs), and remote
// images fetched only when the person asked (a fetch tells the sender that
// and when the message was read: XEP-0071 §11.2).
type imageCache struct {
	dir string

	mu      sync.Mutex
	files   map[string]fyne.URI // by src
	loading map[string]bool
}

// Limits of remote images.
const (
	maxRemoteImage   = 4 << 20
	remoteImageLimit = 20 * time.Second
)

var imageTypes = map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}

func newImageCache(dir string) *imageCache {
	return &imageCache{dir: dir, files: map[string]fyne.URI{}, loading: map[string]bool{}}
}

// get returns the local copy of src: a data: image is written on first
// use; a remote one only once fetched. Nil when there is none.
func (c *imageCache) get(src string) fyne.URI {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.files[src]; ok {
		return u
	}
	if !strings.HasPrefix(src, "data:") {
		return nil
	}
	mime, data, ok := strings.Cut(strings.TrimPrefix(src, "data:"), ",")
	mime, isB64 := strings.CutSuffix(mime, ";base64")
	ext := imageTypes[mime]
	if !ok || !isB64 || ext == "" {
		c.files[src] = nil
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		c.files[src] = nil
		return nil
	}
	u, err := c.write(b, ext)
	if err != nil {
		return nil
	}
	c.files[src] = u
	return u
}

func (c *imageCache) write(b []byte, ext string) (fyne.URI, error) {
	if c.dir == "" {
		return nil, errors.New("no cache directory")
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	path := filepath.Join(c.dir, hex.EncodeToString(sum[:16])+ext)
	if _, err := os.Stat(path); err != nil {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, err
		}
	}
	return storage.NewFileURI(path), nil
}

// fetch downloads a remote image the person asked for (off the UI
// goroutine); done gets the outcome.
func (c *imageCache) fetch(src string, done func(error)) {
	c.mu.Lock()
	if c.loading[src] || c.files[src] != nil {
		c.mu.Unlock()
		return
	}
	c.loading[src] = true
	c.mu.Unlock()
	err := c.download(src)
	c.mu.Lock()
	delete(c.loading, src)
	c.mu.Unlock()
	done(err)
}

func (c *imageCache) download(src string) error {
	ctx, cancel := context.WithTimeout(context.Background(), remoteImageLimit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("image: HTTP %d", resp.StatusCode)
	}
	mime, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	ext := imageTypes[strings.TrimSpace(strings.ToLower(mime))]
	if ext == "" {
		return errors.New("image: not a PNG, JPEG, GIF or WebP image")
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRemoteImage+1))
	if err != nil {
		return err
	}
	if len(b) > maxRemoteImage {
		return errors.New("image: too large")
	}
	u, err := c.write(b, ext)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.files[src] = u
	c.mu.Unlock()
	return nil
}
