# Causerie build and test entry points. `make test` is the one test command.

GO   ?= go
# Packages to vet and test; override to narrow a run, e.g. make test PKGS=./internal/...
PKGS ?= ./...

.PHONY: deps test run demo bench fuzz build

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
	@bash .ci/with-desktop.sh $(GO) test -race -count=1 -timeout 25m $(PKGS)

run: deps
	$(GO) run .

# A private local Prosody with a demo account, contacts in groups and
# scripted buddies, and the app signed in to it.
demo: deps build
	$(GO) run ./internal/demo -app bin/causerie

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./core/... ./ui/
	@bash .ci/with-desktop.sh $(GO) test -run '^$$' -bench . -benchtime 3x ./internal/e2e/

fuzz:
	@bash .ci/fuzz.sh

build:
	$(GO) build -o bin/causerie .
