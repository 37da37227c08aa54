package caps

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/causerie/causerie/core/xmpp"
	"github.com/causerie/causerie/core/xmpp/disco"
)

// Store persists verified capabilities across sessions (XEP-0115 §6.3
// recommends caching them); core can back it with SQLite. Only results
// whose hash verified are saved. Implementations must be safe for
// concurrent use and should return quickly.
type Store interface {
	// Load returns the disco#info saved for (hash, ver), if any.
	Load(hash, ver string) (*disco.Info, bool)
	// Save records a verified result.
	Save(hash, ver string, info *disco.Info)
}

// ErrNoCaps: the presence carried no usable <c/> (no node or no ver).
var ErrNoCaps = errors.New("caps: no capabilities to look up")

type verKey struct{ hash, ver string }

type jidEntry struct {
	key  verKey
	info *disco.Info
}

type flight struct {
	done chan struct{}
}

// Cache maps verification strings to disco#info results. Verified results
// are shared by every entity advertising the same (hash, ver); results that
// cannot be verified (legacy format, unknown hash, or a hash mismatch) are
// kept only for the entity that sent them (XEP-0115 §5.4). It is safe for
// concurrent use. The *disco.Info values it returns are shared: treat them
// as read-only.
type Cache struct {
	store Store

	mu       sync.Mutex
	byVer    map[verKey]*disco.Info
	byJID    map[string]jidEntry
	inflight map[verKey]*flight
}

// NewCache returns an empty cache backed by store (nil: memory only).
func NewCache(store Store) *Cache {
	return &Cache{store: store, byVer: map[verKey]*disco.Info{}, byJID: map[string]jidEntry{}, inflight: map[verKey]*flight{}}
}

// Info returns the verified result for (hash, ver), from memory or the
// store. A stored result is checked again before it is used.
func (c *Cache) Info(hash, ver string) (*disco.Info, bool) {
	k := verKey{hash, ver}
	c.mu.Lock()
	info, ok := c.byVer[k]
	c.mu.Unlock()
	if ok {
		return info, true
	}
	if c.store == nil || !HashSupported(hash) {
		return nil, false
	}
	info, ok = c.store.Load(hash, ver)
	if !ok || info == nil || !Verify(*info, ver, hash) {
		return nil, false
	}
	c.mu.Lock()
	c.byVer[k] = info
	c.mu.Unlock()
	return info, true
}

// Put records info for (hash, ver) if it verifies, and reports whether it
// did.
func (c *Cache) Put(hash, ver string, info *disco.Info) bool {
	if info == nil || !Verify(*info, ver, hash) {
		return false
	}
	c.mu.Lock()
	c.byVer[verKey{hash, ver}] = info
	c.mu.Unlock()
	if c.store != nil {
		c.store.Save(hash, ver, info)
	}
	return true
}

// forJID returns an unverified result cached for this entity and key.
func (c *Cache) forJID(jid string, k verKey) (*disco.Info, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byJID[jid]
	if !ok || e.key != k {
		return nil, false
	}
	return e.info, true
}

// Forget drops what is cached for one entity only (e.g. when it goes
// offline); shared, verified results stay.
func (c *Cache) Forget(jid string) {
	c.mu.Lock()
	delete(c.byJID, jid)
	c.mu.Unlock()
}

// Lookup returns the capabilities an entity (its full JID, as in the
// presence's from) advertised with caps. What the entity itself answered
// before for this hash and ver is used first; then a verified result for the same
// hash and ver is used without asking; otherwise Lookup asks the entity's
// disco#info at node#ver, once per ver even when called concurrently for
// several entities, verifies the answer and caches it for everyone. An
// answer that does not verify (or a legacy <c/> without hash) is returned
// but cached for this entity only, and the next entity advertising that
// ver is asked in turn. Errors (e.g. the entity does not answer) are not
// cached.
func (c *Cache) Lookup(ctx context.Context, conn *xmpp.Conn, jid string, caps *Caps) (*disco.Info, error) {
	if caps == nil || caps.Node == "" || caps.Ver == "" {
		return nil, ErrNoCaps
	}
	k := verKey{caps.Hash, caps.Ver}
	verifiable := HashSupported(caps.Hash)
	for {
		// What this entity itself answered comes first: it may differ from
		// the verified result when the entity lied about its ver.
		if info, ok := c.forJID(jid, k); ok {
			return info, nil
		}
		if verifiable {
			if info, ok := c.Info(k.hash, k.ver); ok {
				return info, nil
			}
		}
		if !verifiable {
			return c.fetch(ctx, conn, jid, caps, k, false)
		}
		c.mu.Lock()
		f := c.inflight[k]
		if f == nil {
			f = &flight{done: make(chan struct{})}
			c.inflight[k] = f
			c.mu.Unlock()
			info, err := c.fetch(ctx, conn, jid, caps, k, true)
			c.mu.Lock()
			delete(c.inflight, k)
			c.mu.Unlock()
			close(f.done)
			return info, err
		}
		c.mu.Unlock()
		select {
		case <-f.done: // look again: verified by then, or our turn to ask
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *Cache) fetch(ctx context.Context, conn *xmpp.Conn, jid string, caps *Caps, k verKey, verifiable bool) (*disco.Info, error) {
	info, err := disco.GetInfo(ctx, conn, jid, caps.DiscoNode())
	if err != nil {
		return nil, fmt.Errorf("caps: %w", err)
	}
	if verifiable && c.Put(k.hash, k.ver, info) {
		return info, nil
	}
	c.mu.Lock()
	c.byJID[jid] = jidEntry{key: k, info: info}
	c.mu.Unlock()
	return info, nil
}
