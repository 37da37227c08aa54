package tiers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the module path; the check looks only at packages under it.
const module = "github.com/causerie/causerie"

// featurePkgs lists the tier-3 feature packages, core/<feature> on the
// session's feature hook (paths relative to the module): core/blocking, and
// the coming "core/muc", "core/mam", "core/upload" and "core/omemo".
// A new feature package must be added here or to modelPkgs: a core/*
// package in neither list has no tier, and the test says so.
var featurePkgs = []string{"core/blocking", "core/carbons", "core/csi", "core/mam", "core/mds", "core/muc", "core/omemo", "core/omemo/keys", "core/reactions", "core/reply", "core/retract", "core/upload"}

// modelPkgs lists the tier-2 packages beside core itself: its model
// packages, which core may import.
var modelPkgs = []string{
	"core/account", "core/history", "core/instance", "core/picture",
	"core/safetext", "core/xmppuri",
}

// allowed lists the violations that exist today, keyed by importer and
// imported package (relative to the module), each with why it is tolerated.
// An entry that no longer matches a violation fails the test, so the table
// only shrinks.
var allowed = map[[2]string]string{}

// Test imports are not checked. Today the _test.go files of core,
// core/picture, core/xmpp, every package under core/xmpp but bob, dataform,
// styling and xhtmlim, and ui import the helpers internal/testserver,
// internal/xmpptest, internal/hostile and internal/slixpeer; that is what
// those helpers are for.

// A tier is a package's place in the architecture.
type tier int

const (
	unclassified tier = iota
	protocol          // tier 1: core/xmpp and everything under it
	model             // tier 2: core and its model packages
	feature           // tier 3: the packages of featurePkgs
	gui               // tier 4: ui and everything under it
	assets            // assets: embedded files; imports Fyne, so only tier 4 and main use it
	wiring            // the main package at the module root: imports anything
	testHelper        // internal/...: test helpers; import anything, imported by no production package
)

// String names the tier in words, for failure messages.
func (t tier) String() string {
	switch t {
	case protocol:
		return "tier 1, protocol"
	case model:
		return "tier 2, application model"
	case feature:
		return "tier 3, feature"
	case gui:
		return "tier 4, user interface"
	case assets:
		return "assets, a leaf of tier 4"
	case wiring:
		return "main, the wiring"
	case testHelper:
		return "internal test helper"
	}
	return "no tier"
}

// rank orders tiers 1 to 4 (assets ranks with tier 4, main above them all);
// a production package imports only ranks at or below its own.
func (t tier) rank() int {
	switch t {
	case protocol:
		return 1
	case model:
		return 2
	case feature:
		return 3
	case gui, assets:
		return 4
	}
	return 5
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// tierOf classifies a package by its path relative to the module ("" for
// the module root).
func tierOf(rel string) tier {
	switch {
	case rel == "":
		return wiring
	case under(rel, "core/xmpp"):
		return protocol
	case slices.Contains(featurePkgs, rel):
		return feature
	case rel == "core" || slices.Contains(modelPkgs, rel):
		return model
	case under(rel, "ui"):
		return gui
	case rel == "assets":
		return assets
	case under(rel, "internal"):
		return testHelper
	}
	return unclassified
}

// relative returns path relative to the module, and whether it is in it.
func relative(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

// pkg is what the check needs of one package, named as `go list` names it.
type pkg struct {
	ImportPath string
	Imports    []string // non-test imports only: GoFiles and CgoFiles
}

// A violation is one import that breaks a rule; To is empty when From itself
// matches no tier.
type violation struct {
	From, To string // import paths
	Why      string
}

func (v violation) String() string {
	from, _ := relative(v.From)
	if v.To == "" {
		return fmt.Sprintf("%s (%s): %s", name(v.From), tierOf(from), v.Why)
	}
	to, ok := relative(v.To)
	toTier := "outside the module"
	if strings.HasPrefix(v.To, "fyne.io/") {
		toTier = "Fyne, the GUI toolkit"
	} else if ok {
		toTier = tierOf(to).String()
	}
	return fmt.Sprintf("%s (%s) imports %s (%s): %s", name(v.From), tierOf(from), name(v.To), toTier, v.Why)
}

// name shortens a module path for messages.
func name(path string) string {
	if rel, ok := relative(path); ok {
		if rel == "" {
			return "the main package"
		}
		return rel
	}
	return path
}

// check returns every import of pkgs that breaks the tier rules, and every
// package of the module that matches no tier.
func check(pkgs []pkg) []violation {
	var out []violation
	for _, p := range pkgs {
		from, ok := relative(p.ImportPath)
		if !ok {
			continue
		}
		ft := tierOf(from)
		if ft == unclassified {
			out = append(out, violation{p.ImportPath, "", "matches no tier; give it one in tierOf"})
			continue
		}
		if ft == wiring || ft == testHelper {
			continue
		}
		for _, imp := range p.Imports {
			add := func(why string) { out = append(out, violation{p.ImportPath, imp, why}) }
			to, ok := relative(imp)
			if !ok {
				if strings.HasPrefix(imp, "fyne.io/") && ft.rank() <= 3 {
					add("tiers 1 to 3 never import Fyne")
				}
				continue
			}
			tt := tierOf(to)
			switch {
			case tt == unclassified:
				// Reported as a package of its own.
			case tt == testHelper:
				add("production packages never import internal/ test helpers")
			case ft == assets:
				add("assets is a leaf: it imports no package of the module")
			case tt.rank() > ft.rank():
				add("a package imports only its own tier or below")
			case ft == gui && tt == protocol && to != "core/xmpp/xhtmlim":
				add("ui knows core types, never XML: its only protocol import is the rich-text model core/xmpp/xhtmlim")
			}
		}
	}
	return out
}

// goList lists the module's packages with their non-test imports. The test
// runs in internal/tiers, so the module root is ../..; it lists for the host
// platform (no production file has build constraints today).
func goList(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []pkg
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestTiers checks the module's packages as they are today.
func TestTiers(t *testing.T) {
	pkgs := goList(t)
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.ImportPath] = true
	}
	for _, want := range []string{module, module + "/core", module + "/core/xmpp", module + "/ui"} {
		if !seen[want] {
			t.Fatalf("go list in ../.. did not list %s: not the module root?", want)
		}
	}

	used := map[[2]string]bool{}
	for _, v := range check(pkgs) {
		from, _ := relative(v.From)
		to, _ := relative(v.To)
		if _, ok := allowed[[2]string{from, to}]; ok && v.To != "" {
			used[[2]string{from, to}] = true
			continue
		}
		t.Error(v)
	}
	for k, why := range allowed {
		if !used[k] {
			t.Errorf("allowed exception %s imports %s (%s) no longer occurs: remove it from allowed", k[0], k[1], why)
		}
	}
}

// TestCheck proves the checker finds each kind of violation, and only those,
// in a made-up module.
func TestCheck(t *testing.T) {
	featurePkgs = []string{"core/muc"}
	t.Cleanup(func() { featurePkgs = []string{} })
	m := func(rel string) string { return module + "/" + rel }
	pkgs := []pkg{
		{module, []string{m("ui"), m("core"), m("internal/testserver"), "fyne.io/fyne/v2/app"}},
		{m("core"), []string{m("ui"), "fyne.io/fyne/v2", m("core/muc"), m("core/xmpp"), m("core/account"), "strings"}},
		{m("core/account"), []string{m("core/xmppuri")}},
		{m("core/muc"), []string{m("core"), m("core/xmpp/roster"), m("assets")}},
		{m("core/xmpp/roster"), []string{m("core"), m("core/xmpp"), "gosrc.io/xmpp/stanza"}},
		{m("ui"), []string{m("core/xmpp/xhtmlim"), m("core/xmpp/roster"), m("assets"), m("core/muc"), m("internal/testserver"), "fyne.io/fyne/v2"}},
		{m("ui/roster"), []string{m("ui/widgets"), m("core")}},
		{m("assets"), []string{m("core"), "fyne.io/fyne/v2"}},
		{m("internal/testserver"), []string{m("ui"), m("core")}},
		{m("tools/gen"), []string{m("core")}},
		{"fyne.io/fyne/v2", []string{m("core")}},
	}
	want := [][2]string{
		{m("core"), m("ui")},
		{m("core"), "fyne.io/fyne/v2"},
		{m("core"), m("core/muc")},
		{m("core/muc"), m("assets")},
		{m("core/xmpp/roster"), m("core")},
		{m("ui"), m("core/xmpp/roster")},
		{m("ui"), m("internal/testserver")},
		{m("assets"), m("core")},
		{m("tools/gen"), ""},
	}
	var got [][2]string
	for _, v := range check(pkgs) {
		t.Log(v)
		got = append(got, [2]string{v.From, v.To})
	}
	if !slices.Equal(got, want) {
		t.Errorf("check found (importer, imported)\n%q\nwant\n%q", got, want)
	}
}
