package ui

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
	"time"
	"unicode"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/causerie/causerie/ui/transcript"
)

// The catalogue tests read the ui sources, not the running program: every
// text given to Fyne's lang package, in package ui or a package under it
// (ui/transcript, ui/roster, ...), must be a string literal, found in both
// catalogues, with the same template fields in every language.

// catalogueLanguages are the catalogues in ui/translations, each complete.
var catalogueLanguages = []string{"en", "fr"}

// langFuncs are the lang package's lookups: name -> (keyed, plural).
// Keyed calls (X, XN) pass an ID then the English text; the others pass
// the English text, which is also the ID.
var langFuncs = map[string]struct{ keyed, plural bool }{
	"L": {false, false}, "Localize": {false, false},
	"N": {false, true}, "LocalizePlural": {false, true},
	"X": {true, false}, "LocalizeKey": {true, false},
	"XN": {true, true}, "LocalizePluralKey": {true, true},
}

// uiText is one text the sources look up.
type uiText struct {
	key     string // the catalogue key
	english string // the English text (the key for L and N)
	plural  bool
	at      []string // file:line of each use
}

// sourceTexts parses the non-test Go files of this package and of the
// packages in its subdirectories (one level down), and returns
// the texts given to lang, by key, and the uses it cannot read (a lookup
// whose text is not a literal, or a lookup function used as a value).
func sourceTexts(t *testing.T) (map[string]*uiText, []string) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	sub, err := filepath.Glob("*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, sub...)
	fset := token.NewFileSet()
	texts := map[string]*uiText{}
	var bad []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		pkg := langImportName(f)
		if pkg == "" {
			continue
		}
		called := map[*ast.SelectorExpr]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, fn, ok := langSelector(call.Fun, pkg)
			if !ok {
				return true
			}
			called[sel] = true
			pos := fset.Position(call.Pos()).String()
			spec := langFuncs[fn]
			need := 1
			if spec.keyed {
				need = 2
			}
			if len(call.Args) < need {
				bad = append(bad, fmt.Sprintf("%s: %s.%s with too few arguments", pos, pkg, fn))
				return true
			}
			var vals [2]string
			for i := range need {
				v, ok := stringConstant(call.Args[i])
				if !ok {
					bad = append(bad, fmt.Sprintf("%s: %s.%s(%s): not a string literal", pos, pkg, fn, exprText(fset, call.Args[i])))
					return true
				}
				vals[i] = v
			}
			key, english := vals[0], vals[0]
			if spec.keyed {
				english = vals[1]
			}
			tx := texts[key]
			if tx == nil {
				tx = &uiText{key: key, english: english, plural: spec.plural}
				texts[key] = tx
			} else if tx.english != english || tx.plural != spec.plural {
				bad = append(bad, fmt.Sprintf("%s: key %q is used with another English text or plural form at %s", pos, key, tx.at[0]))
			}
			tx.at = append(tx.at, pos)
			return true
		})
		// lang.L passed around as a value (f := lang.L): its texts are
		// out of sight.
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && !called[sel] {
				if _, fn, ok := langSelector(sel, pkg); ok {
					bad = append(bad, fmt.Sprintf("%s: %s.%s used as a value", fset.Position(sel.Pos()), pkg, fn))
				}
			}
			return true
		})
	}
	return texts, bad
}

// langImportName is the name fyne.io/fyne/v2/lang has in f ("" if none).
func langImportName(f *ast.File) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "fyne.io/fyne/v2/lang" {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return "lang"
		}
	}
	return ""
}

// langSelector reports whether e is pkg.F for a lookup function F.
func langSelector(e ast.Expr, pkg string) (*ast.SelectorExpr, string, bool) {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return nil, "", false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok || id.Name != pkg {
		return nil, "", false
	}
	if _, ok := langFuncs[sel.Sel.Name]; !ok {
		return nil, "", false
	}
	return sel, sel.Sel.Name, true
}

// stringConstant is the value of a string literal, or of literals joined
// with +.
func stringConstant(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return stringConstant(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := stringConstant(e.X)
		b, ok2 := stringConstant(e.Y)
		return a + b, ok1 && ok2
	}
	return "", false
}

func exprText(fset *token.FileSet, e ast.Expr) string {
	p := fset.Position(e.Pos())
	src, err := os.ReadFile(p.Filename)
	if err != nil {
		return "?"
	}
	end := fset.Position(e.End()).Offset
	return string(src[p.Offset:end])
}

// catalogue is one ui/translations/<lang>.json: a text for a key, or for
// a plural key an object of forms ("one", "other", ...).
type catalogue map[string]any

func readCatalogue(t *testing.T, language string) catalogue {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("translations", language+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var c catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("translations/%s.json: %v", language, err)
	}
	return c
}

// catalogueForms is the texts of a catalogue entry: the one text, or
// every plural form.
func catalogueForms(v any) map[string]string {
	switch v := v.(type) {
	case string:
		return map[string]string{"": v}
	case map[string]any:
		out := map[string]string{}
		for form, s := range v {
			if str, ok := s.(string); ok {
				out[form] = str
			}
		}
		return out
	}
	return nil
}

func jsonLine(k, v string) string {
	kb, _ := json.Marshal(k)
	vb, _ := json.Marshal(v)
	return fmt.Sprintf("\t%s: %s,", kb, vb)
}

// TestTranslationCataloguesComplete fails on a looked-up text missing
// from a catalogue, on a catalogue key no source uses any more, and on a
// lookup whose text the test cannot read.
func TestTranslationCataloguesComplete(t *testing.T) {
	texts, bad := sourceTexts(t)
	if len(texts) == 0 {
		t.Fatal("no lang lookups found in the ui sources")
	}
	for _, b := range bad {
		t.Errorf("%s\n\tGive lang a string literal (for values from a fixed set, a switch with one literal per value, as in translations.go), so that the catalogues can be checked.", b)
	}
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, language := range catalogueLanguages {
		c := readCatalogue(t, language)
		var missing []string
		for _, k := range keys {
			tx := texts[k]
			v, ok := c[k]
			if !ok {
				missing = append(missing, fmt.Sprintf("%s\t(%s)", jsonLine(k, tx.english), strings.Join(tx.at, ", ")))
				continue
			}
			forms := catalogueForms(v)
			switch {
			case forms == nil:
				t.Errorf("translations/%s.json: %q: want a string or an object of plural forms, got %T", language, k, v)
			case tx.plural && (forms["one"] == "" || forms["other"] == ""):
				t.Errorf("translations/%s.json: %q is looked up with a count (%s): give it an object with \"one\" and \"other\" forms", language, k, tx.at[0])
			case !tx.plural && forms[""] == "":
				t.Errorf("translations/%s.json: %q: want one non-empty text (no count is given at %s)", language, k, tx.at[0])
			case language == "en" && !tx.plural && forms[""] != tx.english:
				t.Errorf("translations/en.json: %q is %q, but the source says %q (%s)", k, forms[""], tx.english, tx.at[0])
			}
		}
		if len(missing) > 0 {
			t.Errorf("translations/%s.json lacks %d text(s) the ui looks up; add them (translated) to it:\n%s",
				language, len(missing), strings.Join(missing, "\n"))
		}
		var stale []string
		for k := range c {
			if texts[k] == nil {
				stale = append(stale, k)
			}
		}
		slices.Sort(stale)
		for _, k := range stale {
			t.Errorf("translations/%s.json: %q is no longer looked up by any file of ui or its packages: remove it (or the source text changed: move its translation to the new text)", language, k)
		}
	}
}

// templateFields are the names of the template fields s uses ({{.Name}},
// and fields inside actions such as {{if eq .Day 1}}).
func templateFields(s string) ([]string, error) {
	if !strings.Contains(s, "{{") {
		return nil, nil
	}
	trees, err := parse.Parse("t", s, "{{", "}}", map[string]any{"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true, "and": true, "or": true, "not": true, "len": true, "print": true, "printf": true})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			seen[strings.Join(n.Ident, ".")] = true
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	for _, tr := range trees {
		walk(tr.Root)
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	slices.Sort(out)
	return out, nil
}

// TestTranslationPlaceholders checks that every translation uses exactly
// the template fields of its English text.
func TestTranslationPlaceholders(t *testing.T) {
	texts, _ := sourceTexts(t)
	for _, language := range catalogueLanguages {
		c := readCatalogue(t, language)
		for k, v := range c {
			english := k
			if tx := texts[k]; tx != nil {
				english = tx.english
			}
			want, err := templateFields(english)
			if err != nil {
				t.Errorf("%q: the English text is not a valid template: %v", k, err)
				continue
			}
			for form, s := range catalogueForms(v) {
				got, err := templateFields(s)
				if err != nil {
					t.Errorf("translations/%s.json: %q (%s): not a valid template: %v", language, k, form, err)
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("translations/%s.json: %q: the translation %q uses the fields %v, the English text %v", language, k, s, got, want)
				}
			}
		}
	}
}

// goI18nReserved are the keys go-i18n (under Fyne's lang) reads as parts
// of one message: a catalogue with one of them as a key next to others
// fails to load. Look such a text up with lang.X and another key.
var goI18nReserved = []string{"id", "description", "hash", "leftdelim", "rightdelim", "zero", "one", "two", "few", "many", "other", "translation"}

// TestTranslationCataloguesLoad loads the catalogues the way the app does.
func TestTranslationCataloguesLoad(t *testing.T) {
	for _, language := range catalogueLanguages {
		for k := range readCatalogue(t, language) {
			if slices.Contains(goI18nReserved, strings.ToLower(k)) {
				t.Errorf("translations/%s.json: key %q is a word go-i18n reserves: look it up with lang.X(\"ui.%s\", %q) instead", language, k, strings.ToLower(k), k)
			}
		}
	}
	if err := LoadTranslations(); err != nil {
		t.Fatalf("LoadTranslations: %v", err)
	}
}

// TestTranslationFrenchTypography keeps the French catalogue to French
// typography: a non-breaking space before : ; ! ? and inside « », the
// typographic apostrophe, and the ellipsis of the English text.
func TestTranslationFrenchTypography(t *testing.T) {
	texts, _ := sourceTexts(t)
	for k, v := range readCatalogue(t, "fr") {
		for _, s := range catalogueForms(v) {
			r := []rune(s)
			for i, c := range r {
				var prev, next rune
				if i > 0 {
					prev = r[i-1]
				}
				if i+1 < len(r) {
					next = r[i+1]
				}
				switch {
				case strings.ContainsRune(":;!?»", c) && unicode.IsDigit(prev) && unicode.IsDigit(next):
					// a time or a ratio: 12:30
				case strings.ContainsRune(":;!?»", c) && prev != '\u00a0' && prev != '\u202f':
					t.Errorf("fr.json: %q: put a non-breaking space (U+00A0, or U+202F before ; ! ?) before %q in %q", k, c, s)
				case c == '«' && next != '\u00a0' && next != '\u202f':
					t.Errorf("fr.json: %q: put a non-breaking space after « in %q", k, s)
				case c == '\'' || c == '"' || c == '“' || c == '”':
					t.Errorf("fr.json: %q: use ’ for an apostrophe and « » for quotes in %q", k, s)
				}
			}
			english := k
			if tx := texts[k]; tx != nil {
				english = tx.english
			}
			if strings.HasSuffix(english, "…") != strings.HasSuffix(s, "…") {
				t.Errorf("fr.json: %q: keep the ellipsis (…) of the English text in %q", k, s)
			}
			if strings.Contains(s, "...") {
				t.Errorf("fr.json: %q: use … rather than ... in %q", k, s)
			}
		}
	}
}

// loadTranslationsIn loads the catalogues with the system language set to
// language. Fyne reads the language from the environment when catalogues
// are added (on Linux and the BSDs), so the environment is put back at once.
func loadTranslationsIn(t *testing.T, language string) {
	t.Helper()
	vars := []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"}
	saved := map[string]*string{}
	for _, v := range vars {
		if val, ok := os.LookupEnv(v); ok {
			saved[v] = &val
		}
	}
	os.Setenv("LC_ALL", language+".UTF-8")
	os.Setenv("LANGUAGE", language)
	err := LoadTranslations()
	for _, v := range vars {
		if saved[v] != nil {
			os.Setenv(v, *saved[v])
		} else {
			os.Unsetenv(v)
		}
	}
	if err != nil {
		t.Fatalf("LoadTranslations: %v", err)
	}
}

// useFrench shows the ui in French for the rest of the test, and in
// English again after it.
func useFrench(t *testing.T) {
	t.Helper()
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "js":
		t.Skip("Fyne takes the language from the environment only on Linux and the BSDs")
	}
	loadTranslationsIn(t, "fr_FR")
	t.Cleanup(func() { loadTranslationsIn(t, "en_US") })
}

// TestTranslationFrenchWindow builds the welcome window with the French
// catalogue and finds its texts in French.
func TestTranslationFrenchWindow(t *testing.T) {
	useFrench(t)
	h := newHarness(t, nil)
	h.app.Start()
	l := h.app.login
	if l == nil {
		t.Fatal("first run did not show the login window")
	}
	var buttons, labels []string
	for _, o := range test.LaidOutObjects(l.win.Content()) {
		switch o := o.(type) {
		case *widget.Button:
			if o.Visible() {
				buttons = append(buttons, o.Text)
			}
		case *widget.Label:
			if o.Visible() {
				labels = append(labels, o.Text)
			}
		}
	}
	for _, want := range []string{"Se connecter", "Créer un compte"} {
		if !slices.Contains(buttons, want) {
			t.Errorf("no button %q in the French welcome window; buttons: %q", want, buttons)
		}
	}
	if slices.Contains(buttons, "Sign in") {
		t.Errorf("the French welcome window still says “Sign in”: %q", buttons)
	}
	want := "Discutez avec qui vous voulez sur le réseau ouvert XMPP, depuis votre ordinateur."
	if !slices.Contains(labels, want) {
		t.Errorf("no label %q in the French welcome window; labels: %q", want, labels)
	}

	// A template and names from a fixed set.
	day := time.Date(2025, time.March, 3, 0, 0, 0, 0, time.Local)
	now := time.Date(2025, time.June, 1, 12, 0, 0, 0, time.Local)
	if got, want := transcript.DayLabel(day, now), "lundi 3 mars"; got != want {
		t.Errorf("day label: got %q, want %q", got, want)
	}
	first := time.Date(2024, time.May, 1, 0, 0, 0, 0, time.Local)
	if got, want := transcript.DayLabel(first, now), "mercredi 1er mai 2024"; got != want {
		t.Errorf("day label: got %q, want %q", got, want)
	}
	if got, want := lang.L("Connecting to {{.Server}}…", map[string]any{"Server": "example.org"}), "Connexion à example.org…"; got != want {
		t.Errorf("template: got %q, want %q", got, want)
	}
}
