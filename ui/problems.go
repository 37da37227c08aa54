package ui

import (
	"errors"
	"github.com/causerie/causerie/core/omemo"
	"github.com/causerie/causerie/core/omemo/keys"

	"fyne.io/fyne/v2/lang"

	"github.com/causerie/causerie/core"
	"github.com/causerie/causerie/core/muc"
	"github.com/causerie/causerie/core/reactions"
	"github.com/causerie/causerie/core/reply"
	"github.com/causerie/causerie/core/retract"
)

// Explain turns an error from core into a sentence for a person: never a
// Go error string or a stack trace.
func Explain(err error) string {
	switch {
	case errors.Is(err, reply.ErrNoReference), errors.Is(err, muc.ErrNoReference):
		return lang.L("This message cannot be answered: it came without an id to name it by.")
	case errors.Is(err, reactions.ErrNoReference):
		return lang.L("This message cannot be reacted to: it came without an id to name it by.")
	case errors.Is(err, retract.ErrNotRetractable):
		return lang.L("Only your own messages that went out can be deleted.")
	case errors.Is(err, core.ErrFileNotEncrypted):
		return lang.L("Files cannot be sent encrypted yet. To send this one in the clear, turn encryption off in this chat (🔒).")
	case errors.Is(err, core.ErrNotSentYet):
		return lang.L("The message has not gone out yet: correct it once it is sent.")
	case errors.Is(err, core.ErrSubjectNotEncrypted):
		return lang.L("A subject cannot be sent encrypted: only the text is.")
	case errors.Is(err, omemo.ErrNotReady):
		return lang.L("Encryption is not set up for this account yet. Try again once connected.")
	case errors.Is(err, keys.ErrNoSession):
		return lang.L("This device's keys are not known yet.")
	}
	var se *core.SealError
	if errors.As(err, &se) {
		return lang.L("it could not be encrypted as the message was.")
	}
	switch core.Classify(err) {
	case core.ProblemNone:
		return ""
	case core.ProblemWrongPassword:
		return lang.L("The server refused the address or password. Check them and try again.")
	case core.ProblemAccountDisabled:
		return lang.L("This account is disabled on the server.")
	case core.ProblemPasswordNeeded:
		return lang.L("Type the password to sign in.")
	case core.ProblemKeyring:
		return lang.L("The system keyring is locked or unavailable, so the password could not be read. Type it to sign in.")
	case core.ProblemServerNotFound:
		return lang.L("The server could not be found. Check the address after the @, or set the server in Advanced.")
	case core.ProblemConnectionRefused:
		return lang.L("The server refused the connection. It may be down, or the port in Advanced may be wrong.")
	case core.ProblemTimeout:
		return lang.L("The server did not answer in time. Check your network connection.")
	case core.ProblemCertificate:
		if ce, ok := core.CertificateOf(err); ok {
			return lang.L("The server's certificate is not trusted by this computer.") + "\n" +
				lang.L("SHA-256 fingerprint:") + "\n" + ce.Fingerprint
		}
		return lang.L("The server's certificate is not trusted by this computer.")
	case core.ProblemNoTLS:
		return lang.L("The server does not offer an encrypted connection, so Causerie will not connect to it.")
	case core.ProblemNoMechanism:
		return lang.L("The server offers no secure way to sign in that Causerie supports.")
	case core.ProblemDowngrade:
		return lang.L("The server now offers only a weaker way to sign in than this account used before, one that would give it the password. Causerie did not send the password: someone may be intercepting the connection. If the server's administrator confirms the change, remove the account from Causerie and add it again.")
	case core.ProblemReplaced:
		return lang.L("Signed out: this account signed in from another place with the same resource.")
	case core.ProblemServerShutdown:
		return lang.L("The server is shutting down.")
	case core.ProblemNetwork:
		return lang.L("The connection was lost.")
	case core.ProblemInvalidAddress:
		return lang.L("This is not a valid address. An address looks like name@example.org.")
	case core.ProblemNotConnected:
		return lang.L("Not connected. Sign in first.")
	case core.ProblemMessageTooLong:
		return lang.L("The message is too long to send. Split it, or send it as a file.")
	}
	return lang.L("Something went wrong with the server. Try again later.")
}
