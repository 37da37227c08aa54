module github.com/causerie/causerie

go 1.26.8

require (
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/danieljoos/wincred v1.2.3 // indirect
	github.com/godbus/dbus/v5 v5.2.2 // indirect
	github.com/google/uuid v1.1.1 // indirect
	github.com/zalando/go-keyring v0.2.8 // indirect
	golang.org/x/crypto v0.27.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
	golang.org/x/xerrors v0.0.0-20190717185122-a985d3407aa7 // indirect
	gosrc.io/xmpp v0.5.1 // indirect
	mellium.im/sasl v0.3.2 // indirect
	nhooyr.io/websocket v1.6.5 // indirect
)
