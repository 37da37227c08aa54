# Causerie build and test entry points. `make test` is the one test command.

GO   ?= go
# Packages to vet and test; override to narrow a run, e.g. make test PKGS=./internal/...
PKGS ?= ./...
# The release version. FyneApp.toml's Version is its one source: the
# packaging scripts build it into main.version and refuse a different VERSION.
VERSION := $(shell sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' FyneApp.toml | head -n 1)
# A full `make test` (PKGS=./..., as root) also builds the .deb and installs
# and starts it in a clean Debian 12 root (make package package-check: ~80 s
# warm, ~6 min cold). PACKAGE_CHECK=0 skips that; a narrowed run never does it.
PACKAGE_CHECK ?= 1

.PHONY: deps test chaos soak run demo bench fuzz build licenses assets package package-check package-windows package-check-windows

deps:
	@bash .ci/deps.sh

test: deps
	@unformatted=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './vendor/*' -print0 | xargs -0 -r gofmt -l); \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files need formatting (run gofmt -w):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi
	@$(GO) vet $(PKGS)
	@if [ "$(PKGS)" = "./..." ] && [ "$(PACKAGE_CHECK)" != 0 ]; then \
		if [ "$$(id -u)" -eq 0 ]; then \
			$(MAKE) --no-print-directory package package-check; \
		else \
			echo "package-check: skipped (needs root: debootstrap, chroot)"; \
		fi; \
	fi
	@bash .ci/with-desktop.sh $(GO) test -race -count=1 -timeout 25m $$($(GO) list $(PKGS) | grep -vE '/internal/(chaos|wincheck)$$')
	@if [ "$(PKGS)" = "./..." ]; then bash .ci/chaos.sh; fi

# Data integrity under faults and crashes: 200 random faults per server,
# 5,000 messages each way, 20 SIGKILLs, on Prosody and ejabberd (without
# archives: see TestChaos). `make test` runs them after the other tests.
chaos: deps
	@bash .ci/chaos.sh

# The same with 1,000 faults per server (not part of `make test`).
soak: deps
	@CHAOS_TIMEOUT=60m bash .ci/chaos.sh -chaos.faults=1000

run: deps
	$(GO) run .

# A private local Prosody with a demo account, contacts in groups and
# scripted buddies, and the app signed in to it.
demo: deps build
	$(GO) run ./internal/demo -app bin/causerie

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./core/... ./ui/...
	@bash .ci/with-desktop.sh $(GO) test -run '^$$' -bench . -benchtime 3x ./internal/e2e/

fuzz:
	@bash .ci/fuzz.sh

build:
	$(GO) build -o bin/causerie .

# The README's table of dependency licences, from go.mod; fails on a
# licence a GPL-3.0-or-later program may not include.
licenses:
	$(GO) run ./internal/licenses -write

# Packaging (see README "Packaging"); everything lands in dist/.
# The committed icons and sound, regenerated from icon.svg and sox.
assets:
	@bash .ci/deps.sh package
	@bash assets/generate.sh

# fyne package tarball + .deb (+ dpkg-deb/lintian report), metainfo checked.
package:
	@bash .ci/deps.sh package
	@VERSION=$(VERSION) bash packaging/linux/package.sh

# Installs the .deb into a clean Debian 12 root (debootstrap, cached) and
# starts it there: -version, then a window under Xvfb, found and screenshotted.
package-check:
	@bash .ci/deps.sh package-check
	@VERSION=$(VERSION) bash packaging/linux/check.sh

# Windows: a cross-built .exe with icon and version resource, and an NSIS
# installer.
package-windows:
	@bash .ci/deps.sh package-windows
	@VERSION=$(VERSION) bash packaging/windows/package.sh

# Runs the Windows installer and app under Wine (wine64) on Xvfb: install,
# -version, the window and its screenshot, uninstall. Not in make test.
package-check-windows:
	@bash .ci/deps.sh package-check-windows
	@VERSION=$(VERSION) bash packaging/windows/check.sh
