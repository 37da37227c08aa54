// Package transcript shows a conversation in Causerie's chat windows: the
// model (messages in time order with a separator before each day's first,
// delivery states, corrections), the virtualised view that makes widgets
// only for the rows on screen, and the rendering of a message's rich text
// (XHTML-IM through the neutral model of core/xmpp/xhtmlim) into Fyne
// RichText segments, with its images prepared through a bounded path and
// fetched from the network only on request.
package transcript
