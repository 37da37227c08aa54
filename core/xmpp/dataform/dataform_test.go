package dataform

import (
	"encoding/xml"
	"strings"
	"testing"
)

// XEP-0004 Example 2 (abridged), the XEP's own form.
const xep0004Form = `<x xmlns='jabber:x:data' type='form'>
  <title>Bot Configuration</title>
  <instructions>Fill out this form to configure your new bot!</instructions>
  <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>
  <field type='fixed'><value>Section 1: Bot Info</value></field>
  <field type='text-single' label='The name of your bot' var='botname'/>
  <field type='text-multi' label='Helpful description of your bot' var='description'/>
  <field type='boolean' label='Public bot?' var='public'><required/></field>
  <field type='text-private' label='Password for special access' var='password'/>
  <field type='list-multi' label='What features will the bot support?' var='features'>
    <option label='Contests'><value>contests</value></option>
    <option label='News'><value>news</value></option>
    <value>news</value>
  </field>
  <field type='list-single' label='Maximum number of subscribers' var='maxsubs'>
    <value>20</value>
    <option label='10'><value>10</value></option>
    <option label='20'><value>20</value></option>
  </field>
  <field type='jid-single' label='Bot JID' var='botjid'/>
</x>`

func TestParseXEP0004Example(t *testing.T) {
	var f Form
	if err := xml.Unmarshal([]byte(xep0004Form), &f); err != nil {
		t.Fatal(err)
	}
	if f.Type != "form" || f.Title != "Bot Configuration" || len(f.Instructions) != 1 {
		t.Fatalf("header: %+v", f)
	}
	if f.FormType() != "jabber:bot" {
		t.Fatalf("FORM_TYPE = %q", f.FormType())
	}
	if len(f.Fields) != 9 {
		t.Fatalf("%d fields", len(f.Fields))
	}
	pub := f.Field("public")
	if pub == nil || !pub.IsRequired() || pub.Kind() != Boolean {
		t.Fatalf("public: %+v", pub)
	}
	ms := f.Field("maxsubs")
	if ms.Value() != "20" || len(ms.Options) != 2 || ms.Options[0].Label != "10" {
		t.Fatalf("maxsubs: %+v", ms)
	}
}

func TestSubmit(t *testing.T) {
	var f Form
	if err := xml.Unmarshal([]byte(xep0004Form), &f); err != nil {
		t.Fatal(err)
	}
	sub := f.Submit(map[string][]string{"botname": {"The Jabber Google Bot"}, "public": {"true"}, "description": {"line1\nline2"}})
	b, err := xml.Marshal(sub)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`type="submit"`,
		`<field var="FORM_TYPE"><value>jabber:bot</value></field>`,
		`<field var="botname"><value>The Jabber Google Bot</value></field>`,
		`<field var="public"><value>1</value></field>`,
		`<field var="description"><value>line1</value><value>line2</value></field>`,
		`<field var="features"><value>news</value></field>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("submit lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Section 1") || strings.Contains(s, "label=") || strings.Contains(s, "botjid") {
		t.Errorf("submit carries fixed fields, labels or empty optional fields:\n%s", s)
	}
}

// XEP-0158 Example 2: a CAPTCHA form with a media element.
const xep0158Form = `<x xmlns='jabber:x:data' type='form'>
  <field type='hidden' var='FORM_TYPE'><value>urn:xmpp:captcha</value></field>
  <field type='hidden' var='from'><value>innocent@victim.example.com</value></field>
  <field type='hidden' var='challenge'><value>F3A6292C</value></field>
  <field type='hidden' var='sid'><value>spam1</value></field>
  <field var='ocr' label='Enter the text you see'>
    <media xmlns='urn:xmpp:media-element' height='80' width='290'>
      <uri type='image/jpeg'>http://www.victim.example.com/challenges/ocr.jpeg?F3A6292C</uri>
      <uri type='image/jpeg'>cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org</uri>
    </media>
  </field>
</x>`

func TestCaptchaMedia(t *testing.T) {
	var f Form
	if err := xml.Unmarshal([]byte(xep0158Form), &f); err != nil {
		t.Fatal(err)
	}
	ocr := f.Field("ocr")
	if ocr == nil || ocr.Media == nil || len(ocr.Media.URIs) != 2 || ocr.Media.Width != 290 {
		t.Fatalf("ocr: %+v", ocr)
	}
	if !strings.HasPrefix(ocr.Media.URIs[1].Value, "cid:sha1+") || ocr.Media.URIs[1].Type != "image/jpeg" {
		t.Fatalf("uri: %+v", ocr.Media.URIs[1])
	}
	b, _ := xml.Marshal(f.Submit(map[string][]string{"ocr": {"7nHL3"}}))
	if !strings.Contains(string(b), `<field var="challenge"><value>F3A6292C</value></field>`) || !strings.Contains(string(b), `<field var="ocr"><value>7nHL3</value></field>`) {
		t.Fatalf("captcha submit: %s", b)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(xep0004Form))
	f.Add([]byte(xep0158Form))
	f.Add([]byte(`<x xmlns='jabber:x:data' type='result'><field/></x>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var form Form
		if xml.Unmarshal(data, &form) != nil {
			return
		}
		sub := form.Submit(map[string][]string{"a": {"b"}})
		if _, err := xml.Marshal(sub); err != nil {
			t.Fatalf("cannot marshal submit of a parsed form: %v", err)
		}
	})
}
