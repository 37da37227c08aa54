// Package instance keeps Causerie to one running copy per configuration:
// the first copy listens on a local socket in its configuration
// directory; a second launch hands its arguments (an xmpp: link from the
// desktop) to the first and exits.
package instance

import (
	"bufio"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// SocketName is the socket's file name in the configuration directory.
const SocketName = "causerie.sock"

// maxMessage bounds what a client may send.
const maxMessage = 64 << 10

// Server is the running instance's listener.
type Server struct {
	ln   net.Listener
	path string
	wg   sync.WaitGroup
}

// Send hands args to the instance running with this configuration
// directory. It fails when none is running (or it does not answer).
func Send(dir string, args []string) error {
	c, err := net.DialTimeout("unix", filepath.Join(dir, SocketName), 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	b, _ := json.Marshal(args)
	if _, err := c.Write(append(b, '\n')); err != nil {
		return err
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if reply != "ok\n" {
		return errors.New("instance: unexpected reply")
	}
	return nil
}

// ErrRunning is returned by Listen when another instance answers.
var ErrRunning = errors.New("instance: Causerie is already running")

// Listen makes this the running instance: handle gets the arguments of
// later launches (on the listener's goroutine). A socket file left by a
// copy that crashed is replaced.
func Listen(dir string, handle func(args []string)) (*Server, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, SocketName)
	ln, err := net.Listen("unix", path)
	if err != nil {
		if c, derr := net.DialTimeout("unix", path, time.Second); derr == nil {
			c.Close()
			return nil, ErrRunning
		}
		os.Remove(path) // stale: nobody answers
		if ln, err = net.Listen("unix", path); err != nil {
			return nil, err
		}
	}
	os.Chmod(path, 0o600)
	s := &Server{ln: ln, path: path}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.serve(c, handle)
		}
	}()
	return s, nil
}

func (s *Server) serve(c net.Conn, handle func([]string)) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(&limitedReader{c, maxMessage}).ReadBytes('\n')
	if err != nil {
		return
	}
	var args []string
	if json.Unmarshal(line, &args) != nil {
		return
	}
	c.Write([]byte("ok\n"))
	handle(args)
}

type limitedReader struct {
	c net.Conn
	n int
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("instance: message too long")
	}
	if len(p) > l.n {
		p = p[:l.n]
	}
	n, err := l.c.Read(p)
	l.n -= n
	return n, err
}

// Close stops listening and removes the socket.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	os.Remove(s.path)
	return err
}
