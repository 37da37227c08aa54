package core

import "strings"

// Splitting JIDs (to be replaced by the JID type of core/xmpp).

// bareJID is j without its resource, in lower case.
func bareJID(j string) string {
	if i := strings.IndexByte(j, '/'); i >= 0 {
		j = j[:i]
	}
	return strings.ToLower(j)
}

// resourceOf is the resource of j ("" for a bare JID).
func resourceOf(j string) string {
	if i := strings.IndexByte(j, '/'); i >= 0 {
		return j[i+1:]
	}
	return ""
}
