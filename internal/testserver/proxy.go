package testserver

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards loopback TCP connections to a server and can cut them
// all (a dropped link), freeze them (a silent dead link) or refuse new
// ones (server unreachable), for reconnection and resumption tests.
type Proxy struct {
	l      net.Listener
	target string

	mu      sync.Mutex
	conns   []net.Conn
	frozen  bool
	refuse  bool
	flights int
	lastUp  bool
}

// NewProxy listens on 127.0.0.1 and forwards to target; it is closed at
// the end of the test.
func NewProxy(t testing.TB, target string) *Proxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{l: l, target: target}
	t.Cleanup(func() { l.Close(); p.Cut() })
	go p.serve()
	return p
}

func (p *Proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refuse := p.refuse
		p.mu.Unlock()
		if refuse {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go p.pipe(s, c, true)
		go p.pipe(c, s, false)
	}
}

// Port is the port to connect to.
func (p *Proxy) Port() int { return p.l.Addr().(*net.TCPAddr).Port }

// Cut closes every forwarded connection.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Freeze drops all traffic while on, keeping connections open.
func (p *Proxy) Freeze(on bool) {
	p.mu.Lock()
	p.frozen = on
	p.mu.Unlock()
}

// Refuse closes new connections at once while on.
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	p.refuse = on
	p.mu.Unlock()
}

// Flights counts client-to-server sends that followed server data: the
// round trips a client waited for.
func (p *Proxy) Flights() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.flights
}

func (p *Proxy) pipe(dst, src net.Conn, up bool) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		frozen := p.frozen
		if up && !p.lastUp {
			p.flights++
		}
		p.lastUp = up
		p.mu.Unlock()
		if frozen {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}
