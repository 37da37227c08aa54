package upload

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"github.com/causerie/causerie/internal/xmpptest"
)

func TestMain(m *testing.M) { testserver.Main(m) }

// TestUploadAgainstServers: the account's upload service is found with
// its limit; a slot's PUT takes a file with the slot's headers, and its
// GET gives the same bytes back; a file over the limit is refused as too
// large; a PUT without the slot's authorisation is refused.
func TestUploadAgainstServers(t *testing.T) {
	for _, kind := range []testserver.Kind{testserver.Prosody, testserver.Ejabberd} {
		t.Run(string(kind), func(t *testing.T) {
			s := testserver.Shared(t, kind, testserver.Options{})
			c := xmpptest.Dial(t, s, &xmpp.Mux{})
			svc, err := Find(t.Context(), c, s.Domain)
			if err != nil {
				t.Fatal(err)
			}
			if svc.JID != "upload."+s.Domain || svc.MaxSize != testserver.UploadLimit {
				t.Fatalf("service %+v", svc)
			}
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool}}}

			data := make([]byte, 300_000)
			rand.Read(data)
			slot, err := RequestSlot(t.Context(), c, svc.JID, "très cool.bin", int64(len(data)), "application/octet-stream")
			if err != nil {
				t.Fatal(err)
			}
			put := func(s Slot, body []byte, auth bool) int {
				t.Helper()
				req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, s.Put.URL, bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.ContentLength = int64(len(body))
				req.Header.Set("Content-Type", "application/octet-stream")
				for _, h := range s.PutHeaders() {
					if auth || h.Name != "Authorization" {
						req.Header.Add(h.Name, h.Value)
					}
				}
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				return res.StatusCode
			}
			if kind == testserver.Prosody {
				// Prosody's slots are authorised by their header;
				// ejabberd's by the secret in the URL.
				if code := put(slot, data, false); code != http.StatusUnauthorized && code != http.StatusForbidden {
					t.Errorf("PUT without the slot's authorisation: %d", code)
				}
			}
			if code := put(slot, data, true); code != http.StatusCreated {
				t.Fatalf("PUT: %d", code)
			}
			res, err := client.Get(slot.Get.URL)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || sha256.Sum256(got) != sha256.Sum256(data) {
				t.Fatalf("GET: %d, %d bytes, same: %v", res.StatusCode, len(got), bytes.Equal(got, data))
			}

			if _, err := RequestSlot(t.Context(), c, svc.JID, "énorme.iso", testserver.UploadLimit+1, ""); !errors.Is(err, ErrTooLarge) {
				t.Errorf("a file over the limit: %v", err)
			}
		})
	}
}
