package picture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Limits of a remote picture's download (Fetch).
const (
	MaxRemoteBytes = 4 << 20
	remoteTimeout  = 20 * time.Second
	maxRedirects   = 3
)

// ErrFetch: a remote picture could not be downloaded (network, HTTP
// status, a redirect elsewhere, not served as an image). Wrapped with the
// detail.
var ErrFetch = errors.New("picture: could not be downloaded")

// client fetches remote pictures: redirects only within the host.
var client = &http.Client{CheckRedirect: sameHostRedirect}

// sameHostRedirect follows a few redirects within the first request's
// host and scheme: never from https to http, never to another host (the
// link the person consented to is the one fetched).
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return errors.New("too many redirects")
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) || req.URL.Scheme != first.Scheme {
		return fmt.Errorf("redirected to another host (%s)", req.URL.Host)
	}
	return nil
}

// Fetch downloads a remote picture (http or https) the person asked to
// see, at most MaxRemoteBytes, and returns it through the bounded path
// as a PNG whose longest side is at most side. A picture over the limits
// is ErrTooLarge, one that cannot be shown ErrNotPicture or ErrMismatch,
// a failed download ErrFetch.
func Fetch(ctx context.Context, url string, side int) ([]byte, error) {
	return FetchWith(ctx, nil, url, MaxRemoteBytes, side)
}

// FetchWith is Fetch through c (nil: a client trusting the system's
// roots; c's redirects are limited as Fetch's are), of at most max
// bytes (MaxRemoteBytes at most).
func FetchWith(ctx context.Context, c *http.Client, url string, max int64, side int) ([]byte, error) {
	if c == nil {
		c = client
	} else {
		cc := *c
		cc.CheckRedirect = sameHostRedirect
		c = &cc
	}
	data, mime, err := download(ctx, c, url, min(max, MaxRemoteBytes))
	if err != nil {
		return nil, err
	}
	out, _, _, err := Thumbnail(data, mime, side)
	return out, err
}

func download(ctx context.Context, client *http.Client, url string, max int64) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	defer cancel()
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return nil, "", fmt.Errorf("%w: not a web address", ErrFetch)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrFetch, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrFetch, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("%w: HTTP %d", ErrFetch, resp.StatusCode)
	}
	mime, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	mime = strings.TrimSpace(strings.ToLower(mime))
	if !strings.HasPrefix(mime, "image/") {
		return nil, "", fmt.Errorf("%w: served as %q", ErrFetch, mime)
	}
	if resp.ContentLength > max {
		return nil, "", fmt.Errorf("%w: %d bytes", ErrTooLarge, resp.ContentLength)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrFetch, err)
	}
	if int64(len(b)) > max {
		return nil, "", fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return b, mime, nil
}
