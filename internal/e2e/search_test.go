package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/causerie/causerie/core/history"
)

// TestSearch is issue 20's search in the real app. The history holds
// 1,000 messages with Tintin, one of them a month back about the
// zeppelin, and one with Haddock. The user presses Ctrl+Shift+F in the
// main window and types "zeppelin": both show, newest first, the word
// marked (search-1-results.png). Down twice and Enter opens the chat
// with Tintin at the old message, marked among its neighbours, with
// "Show the latest messages" below (search-2-found.png).
func TestSearch(t *testing.T) {
	needGUI(t)
	srv, meJID, mePass, friend := withContact(t, "Tintin")
	profile := savedAccountAt(t, srv, srv.Port, meJID, mePass)
	store, err := history.Open(filepath.Join(profile, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().AddDate(0, 0, -30)
	burst := &history.Burst{}
	for i := 1; i <= 1000; i++ {
		m := &history.Message{Account: meJID, Peer: friend.jid, Direction: history.Direction(1 + i%2), Type: "chat",
			Body: fmt.Sprintf("Message numéro %d.", i), Sent: start.Add(time.Duration(i) * 40 * time.Minute),
			State: history.StateReceived}
		if i == 40 {
			m.Body = "Le zeppelin part de Moulinsart à midi, avec le professeur Tournesol."
		}
		burst.Adds = append(burst.Adds, m)
	}
	burst.Adds = append(burst.Adds, &history.Message{Account: meJID, Peer: "haddock@example.org", Direction: history.In,
		Type: "chat", Body: "Mille sabords, encore ce zeppelin !", Sent: time.Now().Add(-time.Hour), State: history.StateReceived})
	if err := store.Commit(burst); err != nil {
		t.Fatal(err)
	}
	store.Close()

	env := []string{"SSL_CERT_FILE=" + filepath.Join(profile, "ca.pem"), "HOME=" + t.TempDir()}
	a := startApp(t, buildApp(t), profile, env...)
	mainWin := waitWindow(t, "^Causerie")
	time.Sleep(time.Second)
	key(t, mainWin, "ctrl+shift+f")
	searchWin := waitWindow(t, "^Search messages")
	time.Sleep(500 * time.Millisecond)
	typeText(t, searchWin, "zeppelin")
	time.Sleep(time.Second)
	screenshot(t, "search-1-results")
	key(t, searchWin, "Down", "Down", "Return")
	chatWin := waitWindow(t, "Tintin")
	time.Sleep(1500 * time.Millisecond)
	screenshot(t, "search-2-found")
	if out := a.out.String(); strings.Contains(out, "panic") || strings.Contains(out, "Error in Fyne call thread") {
		t.Fatalf("the app said:\n%s", out)
	}
	key(t, chatWin, "ctrl+w")
}

// TestMessageActions shows issue 20's message actions in the real app,
// from a history that holds them (actions-1.png): three messages of
// Tintin's a minute apart under one header, a reply with the start of
// the message it answers, reactions (ours marked), an action line
// (/me), and a message Tintin deleted.
func TestMessageActions(t *testing.T) {
	needGUI(t)
	srv, meJID, mePass, friend := withContact(t, "Tintin")
	profile := savedAccountAt(t, srv, srv.Port, meJID, mePass)
	store, err := history.Open(filepath.Join(profile, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	msg := func(dir history.Direction, min int, body string) *history.Message {
		return &history.Message{Account: meJID, Peer: friend.jid, Direction: dir, Type: "chat", Body: body,
			Sent: at.Add(time.Duration(min) * time.Minute), State: history.StateDelivered}
	}
	q := msg(history.In, 0, "On part pour la Lune demain matin.")
	q.OriginID = "lune"
	burst := &history.Burst{Adds: []*history.Message{
		q,
		msg(history.In, 1, "Le professeur a fini la fusée."),
		msg(history.In, 2, "Milou vient aussi."),
		{Account: meJID, Peer: friend.jid, Direction: history.Out, Type: "chat", Body: "Je prépare les sandwichs !",
			ReplyID: "lune", ReplyTo: friend.jid, ReplyQuote: "On part pour la Lune demain matin.", OriginID: "sandwich",
			Sent: at.Add(10 * time.Minute), State: history.StateDelivered},
		msg(history.In, 20, "/me fait ses valises"),
		{Account: meJID, Peer: friend.jid, Direction: history.In, Type: "chat", Body: "le code du coffre est 1234",
			OriginID: "code", Sent: at.Add(30 * time.Minute), State: history.StateReceived},
		msg(history.In, 31, "Oublie ce message, mauvais destinataire."),
	}}
	if err := store.Commit(burst); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		target, sender string
		emojis         []string
	}{{"lune", friend.jid, []string{"🚀"}}, {"lune", meJID, []string{"🚀", "👍"}}, {"sandwich", friend.jid, []string{"❤️"}}} {
		if _, err := store.SetReactions(meJID, friend.jid, r.target, r.sender, r.emojis, at.Add(40*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, done, err := store.Retract(meJID, friend.jid, "code", func(history.Message) bool { return true }, false); err != nil || !done {
		t.Fatalf("retract: %v %v", done, err)
	}
	store.Close()

	env := []string{"SSL_CERT_FILE=" + filepath.Join(profile, "ca.pem"), "HOME=" + t.TempDir()}
	a := startApp(t, buildApp(t), profile, env...)
	mainWin := waitWindow(t, "^Causerie")
	time.Sleep(time.Second)
	chatWin := openChat(t, mainWin, "Tintin")
	time.Sleep(2 * time.Second)
	screenshot(t, "actions-1")
	if out := a.out.String(); strings.Contains(out, "panic") || strings.Contains(out, "Error in Fyne call thread") {
		t.Fatalf("the app said:\n%s", out)
	}
	key(t, chatWin, "ctrl+w")
}
