package picture

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestFetch: a remote picture comes back as a small PNG; redirects are
// followed within the host only; a picture over the byte cap or the
// pixel limits is too large, SVG is refused, a failed download says so.
func TestFetch(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(encoded(t, gradient(10, 10), "png"))
	}))
	defer other.Close()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/photo.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(encoded(t, gradient(1600, 800), "jpeg"))
		case "/moved":
			http.Redirect(w, r, "/photo.jpg", http.StatusFound)
		case "/away":
			// 127.0.0.1 and localhost are different hosts.
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/x.png", http.StatusFound)
		case "/bomb.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(Bomb(t, 16000, 16000))
		case "/huge.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(make([]byte, MaxRemoteBytes+10)) // no length announced: chunked
			w.(http.Flusher).Flush()
		case "/logo.svg":
			w.Header().Set("Content-Type", "image/svg+xml")
			w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`))
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<html/>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer web.Close()
	ctx := context.Background()
	for _, c := range []struct {
		path string
		want error
	}{
		{"/photo.jpg", nil},
		{"/moved", nil},
		{"/away", ErrFetch},
		{"/bomb.png", ErrTooLarge},
		{"/huge.png", ErrTooLarge},
		{"/logo.svg", ErrMismatch},
		{"/page", ErrFetch},
		{"/missing", ErrFetch},
	} {
		out, err := Fetch(ctx, web.URL+c.path, 400)
		if c.want == nil {
			if err != nil || len(out) == 0 {
				t.Errorf("%s: %v", c.path, err)
			} else if info, _ := Check(out, "", Network); info.Format != "png" || info.Width != 400 || info.Height != 200 {
				t.Errorf("%s: %+v", c.path, info)
			}
		} else if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.path, err, c.want)
		}
	}
	if elsewhere.Load() != 0 {
		t.Error("a redirect to another host was followed")
	}
	if _, err := Fetch(ctx, "file:///etc/passwd", 400); !errors.Is(err, ErrFetch) {
		t.Errorf("file: URL: %v", err)
	}
}
