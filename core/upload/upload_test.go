package upload

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/account"
	"github.com/causerie/causerie/core/history"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/picture"
	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/coretest"
	"github.com/causerie/causerie/internal/recorder"
	"github.com/causerie/causerie/internal/slixpeer"
	"github.com/causerie/causerie/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestSendFile: A sends B a file from disk: streamed to the server's
// upload service with progress, then B gets a message whose body is the
// file's address, marked as a file (XEP-0066), and fetching it gives the
// same bytes. A file over the server's limit is refused before anything
// is sent; one that shrinks while sent is refused as changed; a
// cancelled upload sends no message.
func TestSendFile(t *testing.T) { coretest.BothServers(t, testSendFile) }

func testSendFile(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, Feature), coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	b.Connect(t)
	up := Of(a.Session)
	if limit, err := up.Limit(t.Context()); err != nil || limit != testserver.UploadLimit {
		t.Fatalf("limit %d, %v", limit, err)
	}

	data := make([]byte, 1<<20+123)
	rand.Read(data)
	path := filepath.Join(t.TempDir(), "vacances à Moulinsart.jpg")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := FromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	var calls [][2]int64
	m, err := up.Send(t.Context(), b.JID, f, func(sent, total int64) { calls = append(calls, [2]int64{sent, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 10 || calls[len(calls)-1] != [2]int64{int64(len(data)), int64(len(data))} {
		t.Errorf("progress %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Fatalf("progress went back: %v", calls)
		}
	}
	if m.OOB == "" || m.Body != m.OOB || !strings.HasPrefix(m.OOB, "https://127.0.0.1:") || m.Direction != history.Out ||
		m.File != path || m.FileSize != int64(len(data)) {
		t.Fatalf("as A stored it: %+v", m)
	}
	got := b.Events.Wait(t, "B gets the file", func(e core.Event) bool {
		r, ok := e.(core.MessageReceived)
		return ok && r.Message.Body == m.Body
	}).(core.MessageReceived)
	if got.Message.OOB != m.OOB {
		t.Fatalf("as B stored it: %+v", got.Message)
	}
	// ejabberd's URL says vacances_à_Moulinsart.jpg.
	name := SafeName(fileNameOf(got.Message.OOB))
	if !strings.HasPrefix(name, "vacances") || !strings.HasSuffix(name, "Moulinsart.jpg") {
		t.Fatalf("%s: saved as %q", got.Message.OOB, name)
	}
	testDownload(t, Of(b.Session), got.Message, data, name)

	if _, err := FromPath(t.TempDir()); !errors.Is(err, ErrNotFile) {
		t.Errorf("a folder: %v", err)
	}

	// Too large: refused before a slot is asked for.
	big := File{Name: "énorme.iso", Size: testserver.UploadLimit + 1, Open: func() (io.ReadCloser, error) {
		t.Error("a file over the limit was opened")
		return nil, errors.New("no")
	}}
	var tl *TooLargeError
	if _, err := up.Send(t.Context(), b.JID, big, nil); !errors.Is(err, ErrTooLarge) || !errors.As(err, &tl) || tl.Limit != testserver.UploadLimit {
		t.Errorf("a file over the limit: %v", err)
	}
	// Shorter than said.
	short := File{Name: "court.txt", Size: 1000, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(make([]byte, 500))), nil
	}}
	if _, err := up.Send(t.Context(), b.JID, short, nil); !errors.Is(err, ErrChanged) {
		t.Errorf("a file that shrank: %v", err)
	}
	// Cancelled once started.
	ctx, cancel := context.WithCancel(t.Context())
	long := File{Name: "long.bin", Size: 20 << 20, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.LimitReader(zeros{}, 20<<20)), nil
	}}
	if _, err := up.Send(ctx, b.JID, long, func(sent, _ int64) {
		if sent > 1<<20 {
			cancel()
		}
	}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	hist, _ := a.Session.History(b.JID, 10)
	if len(hist) != 1 {
		t.Errorf("A's messages to B: %d, want the one file", len(hist))
	}
}

// TestSendFileToRoom: a file uploaded and said in a room reaches the
// other occupants marked as a file.
func TestSendFileToRoom(t *testing.T) { coretest.BothServers(t, testSendFileToRoom) }

func testSendFileToRoom(t *testing.T, srv *testserver.Server) {
	a, b := coretest.NewUser(t, srv, Feature, muc.Feature), coretest.NewUser(t, srv, muc.Feature)
	a.Connect(t)
	b.Connect(t)
	room := fmt.Sprintf("fichiers%d@conference.%s", time.Now().UnixNano(), srv.Domain)
	for _, u := range []*coretest.User{a, b} {
		if err := muc.Of(u.Session).Join(room, strings.Split(u.JID, "@")[0], ""); err != nil {
			t.Fatal(err)
		}
		u.Events.Wait(t, "in the room", func(e core.Event) bool { j, ok := e.(muc.Joined); return ok && j.Room == room })
	}
	u, err := Of(a.Session).Upload(t.Context(), File{Name: "plan.txt", Size: 11, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("rendez-vous")), nil
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := muc.Of(a.Session).SayFile(room, u, "", 11); err != nil {
		t.Fatal(err)
	}
	got := b.Events.Wait(t, "B gets the file", func(e core.Event) bool {
		m, ok := e.(muc.MessageReceived)
		return ok && m.Message.Body == u
	}).(muc.MessageReceived)
	if got.Message.OOB != u {
		t.Fatalf("as B stored it: %+v", got.Message)
	}
	if string(srv.Fetch(t, u)) != "rendez-vous" {
		t.Fatal("not the file sent")
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestUploadTrustsPinned: an account whose server certificate the user
// trusted (pinned, no CA knows it) uploads to a service with that
// certificate: the HTTPS is verified by the pin, as the stream is.
func TestUploadTrustsPinned(t *testing.T) {
	srv := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	jid, pass := srv.NewUser(t)
	dir := t.TempDir()
	accts, err := account.OpenStore(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c := core.NewClient(accts, nil, store, core.Options{Features: []*core.Feature{Feature}}) // the system's roots only
	defer c.Close()
	events := recorder.New(c.Subscribe)
	s, err := c.AddAccount(t.Context(), account.Account{JID: jid, Host: srv.Host, Port: srv.Port,
		Pinned: []string{xmpp.FormatFingerprint(srv.CertSHA256)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	s.SetPassword(pass)
	s.Connect()
	events.Wait(t, "online", func(e core.Event) bool {
		st, ok := e.(core.ConnectionStateChanged)
		return ok && st.State == core.StateOnline
	})
	u, err := Of(s).Upload(t.Context(), File{Name: "a.txt", Size: 5, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("salut")), nil
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Fetch(t, u); string(got) != "salut" {
		t.Fatalf("fetched %q", got)
	}
	// Downloaded, and a picture previewed, through the same pin.
	m, err := Of(s).Send(t.Context(), jid, File{Name: "a.txt", Size: 5, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("salut")), nil
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Of(s).Download(t.Context(), m, t.TempDir(), nil); err != nil || got.FileSize != 5 {
		t.Fatalf("download: %+v, %v", got, err)
	}
	var pic bytes.Buffer
	png.Encode(&pic, image.NewGray(image.Rect(0, 0, 60, 30)))
	pu, err := Of(s).Upload(t.Context(), File{Name: "p.png", Size: int64(pic.Len()), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(pic.Bytes())), nil
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Of(s).Picture(t.Context(), pu, 1<<20, 30)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(out)); err != nil || cfg.Width != 30 || cfg.Height != 15 {
		t.Fatalf("preview %+v, %v", cfg, err)
	}
	if _, err := Of(s).Picture(t.Context(), pu, 10, 30); !errors.Is(err, picture.ErrTooLarge) {
		t.Fatalf("over the size asked: %v", err)
	}
	if _, err := picture.Fetch(t.Context(), pu, 30); !errors.Is(err, picture.ErrFetch) {
		t.Fatalf("without the pin: %v", err)
	}
}

// TestFilesWithSlixmpp: files both ways with an independent client
// (slixmpp's XEP-0363 and XEP-0066): it gets ours marked as a file and
// fetches the same bytes; we get its upload marked as a file and fetch
// the same bytes.
func TestFilesWithSlixmpp(t *testing.T) { coretest.BothServers(t, testFilesWithSlixmpp) }

func testFilesWithSlixmpp(t *testing.T, srv *testserver.Server) {
	a := coretest.NewUser(t, srv, Feature)
	a.Connect(t)
	peer := slixpeer.StartNew(t, srv, slixpeer.Options{})

	ours := make([]byte, 200_000)
	rand.Read(ours)
	if _, err := Of(a.Session).Send(t.Context(), peer.Bare, File{Name: "notre fichier.bin", Size: int64(len(ours)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(ours)), nil }}, nil); err != nil {
		t.Fatal(err)
	}
	ev := peer.WaitFor(t, "slixmpp gets our file", func(e slixpeer.Event) bool { return e.Event == "message" && e.OOB != "" })
	if ev.Body != ev.OOB {
		t.Fatalf("at slixmpp's: %+v", ev)
	}
	sum := sha256.Sum256(ours)
	if got := peer.Do(t, slixpeer.Command{Cmd: "download", Body: ev.OOB}).Body; got != hex.EncodeToString(sum[:]) {
		t.Fatalf("slixmpp fetched %s", got)
	}

	theirs := make([]byte, 150_000)
	rand.Read(theirs)
	path := filepath.Join(t.TempDir(), "leur-fichier.bin")
	if err := os.WriteFile(path, theirs, 0o600); err != nil {
		t.Fatal(err)
	}
	url := peer.Do(t, slixpeer.Command{Cmd: "upload", To: a.JID, File: path}).Body
	got := a.Events.Wait(t, "slixmpp's file", func(e core.Event) bool {
		m, ok := e.(core.MessageReceived)
		return ok && m.Message.Body == url
	}).(core.MessageReceived)
	if got.Message.OOB != url {
		t.Fatalf("as we stored it: %+v", got.Message)
	}
	dl, err := Of(a.Session).Download(t.Context(), got.Message, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dl.File); !bytes.Equal(b, theirs) || filepath.Base(dl.File) != "leur-fichier.bin" {
		t.Fatalf("the file downloaded (%s) is not slixmpp's", dl.File)
	}
}

// testDownload: B downloads the file A sent (m, as B stored it) twice
// into a fresh folder, under its name and then under another; cancelled,
// cut short or refused, a download leaves nothing.
func testDownload(t *testing.T, up *Uploads, m history.Message, data []byte, name string) {
	dir := t.TempDir()
	var calls [][2]int64
	first, err := up.Download(t.Context(), m, dir, func(got, total int64) { calls = append(calls, [2]int64{got, total}) })
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(data))
	if first.File != filepath.Join(dir, name) || first.FileSize != n {
		t.Fatalf("downloaded as %q, %d bytes", first.File, first.FileSize)
	}
	if b, _ := os.ReadFile(first.File); !bytes.Equal(b, data) {
		t.Fatal("the file downloaded is not the one sent")
	}
	if len(calls) < 10 || calls[len(calls)-1] != [2]int64{n, n} || calls[0][1] != n {
		t.Errorf("progress %v", calls)
	}
	second, err := up.Download(t.Context(), m, dir, nil)
	ext := filepath.Ext(name)
	if err != nil || second.File != filepath.Join(dir, strings.TrimSuffix(name, ext)+" (1)"+ext) {
		t.Fatalf("second download: %q, %v", second.File, err)
	}
	if b, _ := os.ReadFile(first.File); !bytes.Equal(b, data) {
		t.Fatal("the first copy was overwritten")
	}
	if stored, _ := up.h.History().Get(m.ID); stored.File != second.File || stored.FileSize != n {
		t.Fatalf("the copy is not remembered: %+v", stored)
	}
	if err := up.Copy(second); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	os.WriteFile(second.File, []byte("autre chose"), 0o600)
	if err := up.Copy(second); !errors.Is(err, ErrCopyGone) {
		t.Fatalf("Copy of a changed file: %v", err)
	}
	if stored, _ := up.h.History().Get(m.ID); stored.File != "" {
		t.Fatalf("a changed copy is remembered: %+v", stored)
	}

	ctx, cancel := context.WithCancel(t.Context())
	if _, err := up.Download(ctx, m, dir, func(int64, int64) { cancel() }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	missing := m
	if u, err := url.Parse(m.OOB); err == nil {
		u.Path = "/causerie-absent/" + name
		missing.OOB = u.String()
	}
	var he *HTTPError
	if _, err := up.Download(t.Context(), missing, dir, nil); !errors.As(err, &he) || he.Status != http.StatusNotFound {
		t.Errorf("a file not there: %v", err)
	}
	// A server that stops sending: given up after stallTimeout, nothing
	// left behind.
	saved := stallTimeout
	stallTimeout = time.Second
	u, _ := url.Parse(m.OOB)
	px := testserver.NewProxy(t, u.Host)
	px.Freeze(true)
	frozen := m
	u.Host = fmt.Sprintf("127.0.0.1:%d", px.Port())
	frozen.OOB = u.String()
	start := time.Now()
	if _, err := up.Download(t.Context(), frozen, dir, nil); !errors.Is(err, ErrStalled) || time.Since(start) > 10*time.Second {
		t.Errorf("a frozen server: %v after %v", err, time.Since(start))
	}
	stallTimeout = saved
	if _, err := up.Picture(t.Context(), "http"+strings.TrimPrefix(m.OOB, "https"), 1<<20, 100); !errors.Is(err, ErrNotHTTPS) {
		t.Errorf("a picture over http: %v", err)
	}
	clear := m
	clear.OOB = "http" + strings.TrimPrefix(m.OOB, "https")
	if _, err := up.Download(t.Context(), clear, dir, nil); !errors.Is(err, ErrNotHTTPS) {
		t.Errorf("over http: %v", err)
	}
	os.Remove(second.File)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the folder holds %q, want the first copy", names)
	}
}
