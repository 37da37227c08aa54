package core

import "github.com/causerie/causerie/core/xmpp/roster"

// PreApprovalSupported reports whether the server lets us pre-approve a
// contact's subscription (RFC 6121 §3.4), as its stream features say.
// False while offline.
func (s *Session) PreApprovalSupported() bool {
	rc, err := s.connected()
	return err == nil && roster.PreApprovalOffered(rc.Conn)
}
