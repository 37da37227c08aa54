package register

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/internal/testserver"
	"gosrc.io/xmpp/stanza"
)

func TestMain(m *testing.M) { testserver.Main(m) }

func cfg(s *testserver.Server, jid, pass string) xmpp.Config {
	return xmpp.Config{JID: jid, Password: pass, Host: s.Host, Port: s.Port,
		TLSConfig: &tls.Config{RootCAs: s.CertPool}, ConnectTimeout: 20 * time.Second}
}

func uniqueName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "reg" + hex.EncodeToString(b)
}

func servers(t *testing.T) map[string]*testserver.Server {
	return map[string]*testserver.Server{
		"prosody":  testserver.Shared(t, testserver.Prosody, testserver.Options{}),
		"ejabberd": testserver.Shared(t, testserver.Ejabberd, testserver.Options{}),
	}
}

func TestRegistrationLifecycle(t *testing.T) {
	ctx := context.Background()
	for name, s := range servers(t) {
		t.Run(name, func(t *testing.T) {
			user := uniqueName()
			jid := user + "@" + s.Domain

			// 1. Fields, over an unauthenticated TLS stream.
			c, err := xmpp.DialUnauthenticated(ctx, cfg(s, s.Domain, ""))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if !c.RegistrationOffered() {
				t.Error("server did not advertise registration in its features")
			}
			q, err := Fetch(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if q.field("username") == nil || q.field("password") == nil {
				t.Fatalf("no username/password fields: %+v", q)
			}
			if q.Registered {
				t.Fatal("unauthenticated stream reports registered")
			}

			// 2. Success.
			if err := Submit(ctx, c, []Field{{"username", user}, {"password", "first-pass"}}); err != nil {
				t.Fatalf("register: %v", err)
			}
			// 3. Conflict: the same name again.
			err = Submit(ctx, c, []Field{{"username", user}, {"password", "other"}})
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("second registration: err = %v, want ErrConflict", err)
			}
			c.Close()

			// The new account logs in.
			a, err := xmpp.Dial(ctx, cfg(s, jid, "first-pass"))
			if err != nil {
				t.Fatalf("login after registration: %v", err)
			}
			q, err = Fetch(ctx, a)
			if err != nil || !q.Registered {
				t.Fatalf("registered account: %+v, %v", q, err)
			}

			// 4. Password change on the authenticated stream; the session stays usable.
			if err := ChangePassword(ctx, a, "second-pass"); err != nil {
				t.Fatalf("change password: %v", err)
			}
			if err := a.Ping(ctx, ""); err != nil {
				t.Fatalf("session unusable after password change: %v", err)
			}
			a.Close()
			var ae *xmpp.AuthError
			if _, err := xmpp.Dial(ctx, cfg(s, jid, "first-pass")); !errors.As(err, &ae) {
				t.Fatalf("old password: err = %v, want AuthError", err)
			}
			a, err = xmpp.Dial(ctx, cfg(s, jid, "second-pass"))
			if err != nil {
				t.Fatalf("new password: %v", err)
			}

			// 5. Removal ends the session as expected, and the account is gone.
			if err := Remove(ctx, a); err != nil {
				t.Fatalf("remove: %v", err)
			}
			select {
			case <-a.Done():
			case <-time.After(10 * time.Second):
				a.Close()
			}
			if _, err := xmpp.Dial(ctx, cfg(s, jid, "second-pass")); !errors.As(err, &ae) {
				t.Fatalf("login after removal: err = %v, want AuthError", err)
			}
		})
	}
}

func TestMissingPasswordNotAcceptable(t *testing.T) {
	s := testserver.Shared(t, testserver.Prosody, testserver.Options{})
	c, err := xmpp.DialUnauthenticated(context.Background(), cfg(s, s.Domain, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = Submit(context.Background(), c, []Field{{"username", uniqueName()}})
	if !errors.Is(err, ErrNotAcceptable) {
		t.Fatalf("err = %v, want ErrNotAcceptable", err)
	}
}

// XEP-0077 Example 2: the plain fields a server asks for.
const xep0077Example2 = `<iq type='result' id='reg1'>
  <query xmlns='jabber:iq:register'>
    <instructions>
      Choose a username and password for use with this service.
      Please also provide your email address.
    </instructions>
    <username/>
    <password/>
    <email/>
  </query>
</iq>`

// XEP-0077 Example 8 (abridged): a data form plus an OOB redirect.
const xep0077Example8 = `<iq type='result' from='contests.shakespeare.lit' id='reg3'>
  <query xmlns='jabber:iq:register'>
    <instructions>Use the enclosed form to register.</instructions>
    <x xmlns='jabber:x:data' type='form'>
      <title>Contest Registration</title>
      <field type='hidden' var='FORM_TYPE'><value>jabber:iq:register</value></field>
      <field type='text-single' label='Given Name' var='first'><required/></field>
      <field type='text-single' label='Family Name' var='last'><required/></field>
      <field type='text-single' label='Email Address' var='email'><required/></field>
      <field type='list-single' label='Gender' var='x-gender'>
        <option label='Male'><value>M</value></option>
        <option label='Female'><value>F</value></option>
      </field>
    </x>
    <x xmlns='jabber:x:oob'><url>http://www.shakespeare.lit/contests.php</url></x>
  </query>
</iq>`

// XEP-0158 Example 6 (abridged): a CAPTCHA registration form with BoB data.
const xep0158Register = `<iq type='result' from='chat.shakespeare.lit' id='reg1'>
  <query xmlns='jabber:iq:register'>
    <instructions>Use the enclosed form to register.</instructions>
    <x xmlns='jabber:x:data' type='form'>
      <field type='hidden' var='FORM_TYPE'><value>urn:xmpp:captcha</value></field>
      <field type='hidden' var='challenge'><value>F3A6292C</value></field>
      <field label='User name' var='username'><required/></field>
      <field type='text-private' label='Password' var='password'><required/></field>
      <field label='Enter the text you see' var='ocr'>
        <media xmlns='urn:xmpp:media-element' height='80' width='290'>
          <uri type='image/png'>cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org</uri>
        </media>
        <required/>
      </field>
    </x>
    <data xmlns='urn:xmpp:bob' cid='sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org' type='image/png' max-age='0'>iVBORw0KGgo=</data>
  </query>
</iq>`

func decodeIQ(t *testing.T, s string) *Query {
	t.Helper()
	var iq stanza.IQ
	if err := xml.Unmarshal([]byte(s), &iq); err != nil {
		t.Fatal(err)
	}
	q, ok := iq.Payload.(*Query)
	if !ok {
		t.Fatalf("payload %T", iq.Payload)
	}
	return q
}

func TestGoldenXEP0077(t *testing.T) {
	q := decodeIQ(t, xep0077Example2)
	if len(q.Fields) != 3 || q.Fields[0].Name != "username" || q.Fields[2].Name != "email" {
		t.Fatalf("fields: %+v", q.Fields)
	}
	if !strings.HasPrefix(q.Instructions, "Choose a username") {
		t.Fatalf("instructions: %q", q.Instructions)
	}
	q = decodeIQ(t, xep0077Example8)
	if q.Form == nil || q.Form.FormType() != NS || !q.Form.Field("first").IsRequired() {
		t.Fatalf("form: %+v", q.Form)
	}
	if q.OOB != "http://www.shakespeare.lit/contests.php" {
		t.Fatalf("oob: %q", q.OOB)
	}
	q = decodeIQ(t, xep0158Register)
	if q.Form.FormType() != "urn:xmpp:captcha" || len(q.Data) != 1 || q.Data[0].Type != "image/png" || string(q.Data[0].Bytes[1:4]) != "PNG" {
		t.Fatalf("captcha: %+v %+v", q.Form, q.Data)
	}
}

func TestMarshalRequests(t *testing.T) {
	b, _ := xml.Marshal(newIQ(stanza.IQTypeSet, "", &Query{Remove: true}))
	if !strings.Contains(string(b), `<query xmlns="jabber:iq:register"><remove></remove></query>`) {
		t.Fatalf("remove: %s", b)
	}
	b, _ = xml.Marshal(newIQ(stanza.IQTypeSet, "example.test", &Query{Fields: []Field{{"username", "bill"}, {"password", "<&>"}}}))
	if !strings.Contains(string(b), `<username>bill</username><password>&lt;&amp;&gt;</password>`) {
		t.Fatalf("fields: %s", b)
	}
}

func FuzzQuery(f *testing.F) {
	for _, s := range []string{xep0077Example2, xep0077Example8, xep0158Register} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var iq stanza.IQ
		if xml.Unmarshal(data, &iq) != nil {
			return
		}
		if q, ok := iq.Payload.(*Query); ok {
			if _, err := xml.Marshal(q); err != nil {
				t.Fatalf("re-marshal: %v", err)
			}
		}
	})
}
