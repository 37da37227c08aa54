// Package upload sends files as messages (XEP-0363: HTTP File Upload),
// as a feature on core's session hook: the account's upload service is
// found once per connection, a slot asked for, the file streamed to it
// over HTTPS (never read whole into memory; the certificate verified as
// core.Hook.HTTPClient says), and its address then sent in a message,
// with XEP-0066's element that makes other clients show it as a file
// (core/xmpp/oob), through the session's outbox like any message of
// ours. The protocol is in core/xmpp/upload.
//
// A client gets it with core.Options{Features: []*core.Feature{
// upload.Feature}}; Of gives a session's uploads.
package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/oob"
	wire "github.com/causerie/causerie/core/xmpp/upload"
)

// Feature plugs file sending into a client's sessions. We advertise
// jabber:x:oob: files sent to us as an upload's URL are shown as files.
var Feature = &core.Feature{Name: "upload", Attach: attach, Disco: []string{oob.NS}}

// Uploads is one session's file sending.
type Uploads struct {
	h *core.Hook

	mu     sync.Mutex
	svc    *wire.Service // the service, once found on this connection
	client *http.Client
}

// Of is the uploads of s, or nil when s's client was made without
// Feature.
func Of(s *core.Session) *Uploads {
	u, _ := s.Feature(Feature).(*Uploads)
	return u
}

func attach(h *core.Hook) any {
	u := &Uploads{h: h}
	// Another connection may be to a server configured otherwise, and
	// the account's trusted certificates may have changed.
	h.OnOffline(func() {
		u.mu.Lock()
		u.svc = nil
		if u.client != nil {
			u.client.CloseIdleConnections()
			u.client = nil
		}
		u.mu.Unlock()
	})
	return u
}

// Why a file was not sent (errors.Is), besides the session's and the
// network's errors.
var (
	// ErrNoService: the account's server offers no file upload.
	ErrNoService = wire.ErrNoService
	// ErrTooLarge: the file is larger than the server takes (a
	// TooLargeError says by how much, when known).
	ErrTooLarge = wire.ErrTooLarge
	// ErrQuota: the account has uploaded what it may for now.
	ErrQuota = wire.ErrQuota
	// ErrForbidden: the server does not let this account upload.
	ErrForbidden = wire.ErrForbidden
	// ErrRefused: the upload service refused the file itself (its
	// HTTP answer: not authorised, or an error of its own).
	ErrRefused = errors.New("upload: the upload service refused the file")
	// ErrChanged: the file's size changed while it was sent.
	ErrChanged = errors.New("upload: the file changed while it was sent")
	// ErrNotFile: what was given is not a file (a folder, a device).
	ErrNotFile = errors.New("upload: not a file")
	// ErrUnreachable: the upload service's address could not be reached.
	ErrUnreachable = errors.New("upload: the upload service could not be reached")
	// ErrCut: the connection to the upload service broke during the upload.
	ErrCut = errors.New("upload: the connection was cut during the upload")
)

// netProblem says what kind of network failure err is: ErrUnreachable,
// ErrCut, or err itself.
func netProblem(err error) error {
	var oe *net.OpError
	var de *net.DNSError
	switch {
	case errors.As(err, &de), errors.As(err, &oe) && oe.Op == "dial":
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return fmt.Errorf("%w: %w", ErrCut, err)
	}
	return err
}

// TooLargeError is ErrTooLarge with the server's limit.
type TooLargeError struct {
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("upload: %d bytes, the server takes at most %d", e.Size, e.Limit)
}

func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// HTTPError is ErrRefused with the service's HTTP status.
type HTTPError struct {
	Status int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("upload: the upload service answered %d %s", e.Status, http.StatusText(e.Status))
}

// Denied reports whether the service refused us (401, 403) rather than
// failed.
func (e *HTTPError) Denied() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

func (e *HTTPError) Unwrap() error {
	if e.Status == http.StatusRequestEntityTooLarge {
		return ErrTooLarge
	}
	return ErrRefused
}

// File is a file to send.
type File struct {
	// Name is what the receiver sees (the service keeps it in the URL).
	Name string
	Size int64
	// Type is its MIME type; "" means the name's extension's, else
	// application/octet-stream.
	Type string
	// Open gives its bytes, from the start, each time it is called.
	Open func() (io.ReadCloser, error)
	// Path is where it is on disk (FromPath), "" for other files.
	Path string
}

// FromPath is the regular file at path.
func FromPath(path string) (File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return File{}, err
	}
	if !st.Mode().IsRegular() {
		return File{}, fmt.Errorf("%w: %s", ErrNotFile, filepath.Base(path))
	}
	return File{Name: filepath.Base(path), Size: st.Size(), Path: path, Open: func() (io.ReadCloser, error) { return os.Open(path) }}, nil
}

// ContentType is f's MIME type: Type, else its name's extension's, else
// application/octet-stream.
func (f File) ContentType() string {
	if f.Type != "" {
		return f.Type
	}
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(f.Name))); t != "" {
		return t
	}
	return "application/octet-stream"
}

// service is the account's upload service, found once per connection.
func (u *Uploads) service(ctx context.Context) (wire.Service, *xmpp.Conn, error) {
	conn, err := u.h.Conn()
	if err != nil {
		return wire.Service{}, nil, err
	}
	u.mu.Lock()
	svc := u.svc
	u.mu.Unlock()
	if svc != nil {
		return *svc, conn, nil
	}
	found, err := wire.Find(ctx, conn, conn.Domain())
	if err != nil {
		return wire.Service{}, nil, err
	}
	u.mu.Lock()
	u.svc = &found
	u.mu.Unlock()
	return found, conn, nil
}

// Limit is the largest file the account's server takes, 0 when it says
// no limit; ErrNoService when it offers no upload.
func (u *Uploads) Limit(ctx context.Context) (int64, error) {
	svc, _, err := u.service(ctx)
	return svc.MaxSize, err
}

// Upload sends f to the account's upload service and gives the address
// others fetch it from. progress, when not nil, is called as the bytes
// go out (every 64 KiB, from the HTTP transport's goroutine, and at the
// end from this one); it must return quickly. Cancelling ctx stops it.
// Only the service's 201 Created means the file is there (XEP-0363 §6).
func (u *Uploads) Upload(ctx context.Context, f File, progress func(sent, total int64)) (string, error) {
	svc, conn, err := u.service(ctx)
	if err != nil {
		return "", err
	}
	if svc.MaxSize > 0 && f.Size > svc.MaxSize {
		return "", &TooLargeError{Size: f.Size, Limit: svc.MaxSize}
	}
	slot, err := wire.RequestSlot(ctx, conn, svc.JID, f.Name, f.Size, f.ContentType())
	if err != nil {
		return "", err
	}
	body, err := f.Open()
	if err != nil {
		return "", err
	}
	// The transport closes it (counter.Close), when it is done with it.
	counted := &counter{r: body, c: body, total: f.Size, progress: progress}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, slot.Put.URL, counted)
	if err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	req.ContentLength = f.Size
	if f.Size == 0 {
		body.Close()
		req.Body = http.NoBody
	}
	req.Header.Set("Content-Type", f.ContentType())
	for _, h := range slot.PutHeaders() {
		req.Header.Add(h.Name, h.Value)
	}
	res, err := u.httpClient().Do(req)
	if err != nil {
		if counted.changed.Load() {
			return "", ErrChanged
		}
		return "", fmt.Errorf("upload: %w", netProblem(err))
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return "", &HTTPError{Status: res.StatusCode}
	}
	if progress != nil {
		progress(f.Size, f.Size)
	}
	return slot.Get.URL, nil
}

// Send uploads f (Upload) and sends it to to as a message whose body is
// its address, with the XEP-0066 element saying it is a file.
func (u *Uploads) Send(ctx context.Context, to string, f File, progress func(sent, total int64)) (history.Message, error) {
	get, err := u.Upload(ctx, f, progress)
	if err != nil {
		return history.Message{}, err
	}
	return u.h.Send(to, history.Message{Body: get, OOB: get, File: f.Path, FileSize: f.Size})
}

func (u *Uploads) httpClient() *http.Client {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.client == nil {
		u.client = u.h.HTTPClient()
	}
	return u.client
}

// counter reports the bytes read through it, and notices a file whose
// length is not the size said. The HTTP transport reads and closes it
// on its own goroutine.
type counter struct {
	r        io.Reader
	c        io.Closer
	total    int64
	sent     int64
	last     int64
	progress func(sent, total int64)
	changed  atomic.Bool
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.sent += int64(n)
	if c.sent > c.total || (err == io.EOF && c.sent < c.total) {
		c.changed.Store(true)
	}
	if c.progress != nil && c.sent-c.last >= 64<<10 {
		c.last = c.sent
		c.progress(min(c.sent, c.total), c.total)
	}
	return n, err
}

func (c *counter) Close() error { return c.c.Close() }
