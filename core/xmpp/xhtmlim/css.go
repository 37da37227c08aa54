package xhtmlim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The style attribute: only XEP-0071's recommended CSS1 properties
// (§7.6.1; margin-right left out), each value checked against a small
// grammar. Anything else (url(), expression(), escapes, comments,
// unknown properties or values) is ignored, one declaration at a time.

// Color is an opaque sRGB colour. The zero Color means "not set". It
// implements image/color.Color.
type Color struct {
	R, G, B uint8
	Valid   bool
}

// RGB returns a set Color.
func RGB(r, g, b uint8) Color { return Color{r, g, b, true} }

// RGBA implements image/color.Color; an unset Color is transparent.
func (c Color) RGBA() (r, g, b, a uint32) {
	if !c.Valid {
		return 0, 0, 0, 0
	}
	return uint32(c.R) * 0x101, uint32(c.G) * 0x101, uint32(c.B) * 0x101, 0xffff
}

// String returns "#rrggbb", or "" for an unset Color.
func (c Color) String() string {
	if !c.Valid {
		return ""
	}
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}

// ParseColor reads a CSS colour: #rgb, #rrggbb, rgb(r, g, b) with numbers
// or percentages, or one of the CSS named colours. Transparent and
// semi-transparent colours, system colours and keywords such as inherit
// are refused.
func ParseColor(s string) (Color, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 64 {
		return Color{}, false
	}
	if strings.HasPrefix(s, "#") {
		h := s[1:]
		switch len(h) {
		case 3:
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		case 6:
		default:
			return Color{}, false
		}
		v, err := strconv.ParseUint(h, 16, 32)
		if err != nil {
			return Color{}, false
		}
		return RGB(uint8(v>>16), uint8(v>>8), uint8(v)), true
	}
	if strings.HasPrefix(s, "rgb(") && strings.HasSuffix(s, ")") {
		args := strings.FieldsFunc(s[4:len(s)-1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		if len(args) != 3 {
			return Color{}, false
		}
		var c [3]uint8
		for i, a := range args {
			pct := strings.HasSuffix(a, "%")
			f, ok := number(strings.TrimSuffix(a, "%"))
			if !ok {
				return Color{}, false
			}
			if pct {
				f = f * 255 / 100
			}
			c[i] = uint8(math.Round(math.Min(f, 255)))
		}
		return RGB(c[0], c[1], c[2]), true
	}
	if v, ok := namedColors[s]; ok {
		return RGB(uint8(v>>16), uint8(v>>8), uint8(v)), true
	}
	return Color{}, false
}

// number reads a non-negative decimal number without exponent.
func number(s string) (float64, bool) {
	if s == "" || len(s) > 16 {
		return 0, false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if s == "." {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// length splits a CSS length into its number and lower-case unit.
func length(s string) (float64, string, bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	f, ok := number(s[:i])
	if !ok {
		return 0, "", false
	}
	return f, s[i:], true
}

// sizePx is the size in CSS pixels of each Size, from xx-small to xx-large.
var sizePx = [...]float64{9, 10, 13, 16, 18, 24, 32}

func pxOf(s Size) float64 { return sizePx[clampSize(s)+3] }

func clampSize(s Size) Size { return max(SizeXXSmall, min(SizeXXLarge, s)) }

// sizeOfPx returns the Size nearest to px (never smaller than xx-small:
// text cannot be hidden with font-size: 0).
func sizeOfPx(px float64) Size {
	for i := 0; i < len(sizePx)-1; i++ {
		if px < (sizePx[i]+sizePx[i+1])/2 {
			return Size(i - 3)
		}
	}
	return SizeXXLarge
}

// parseFontSize reads a font-size relative to the parent's size.
func parseFontSize(v string, parent Size) (Size, bool) {
	switch v {
	case "xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large":
		for i, n := range sizeNames {
			if n == v {
				return Size(i - 3), true
			}
		}
	case "xxx-large":
		return SizeXXLarge, true
	case "smaller":
		return clampSize(parent - 1), true
	case "larger":
		return clampSize(parent + 1), true
	}
	f, unit, ok := length(v)
	if !ok {
		return 0, false
	}
	var px float64
	switch unit {
	case "px":
		px = f
	case "pt":
		px = f * 4 / 3
	case "pc":
		px = f * 16
	case "in":
		px = f * 96
	case "cm":
		px = f * 96 / 2.54
	case "mm":
		px = f * 96 / 25.4
	case "em":
		px = f * pxOf(parent)
	case "ex":
		px = f * pxOf(parent) / 2
	case "%":
		px = f * pxOf(parent) / 100
	case "rem":
		px = f * 16
	case "":
		if f != 0 {
			return 0, false
		}
	default:
		return 0, false
	}
	return sizeOfPx(px), true
}

// parseIndent reads a margin-left as whole em, or false.
func parseIndent(v string) (int, bool) {
	f, unit, ok := length(v)
	if !ok {
		return 0, false
	}
	switch unit {
	case "em", "rem":
	case "px":
		f /= 16
	case "pt":
		f /= 12
	case "ex":
		f /= 2
	case "%":
		f *= 0.4 // 5% of a 640px-wide window is 2em
	case "":
		if f != 0 {
			return 0, false
		}
	default:
		return 0, false
	}
	return int(math.Round(min(f, MaxIndent))), true
}

var genericFamilies = map[string]bool{"serif": true, "sans-serif": true, "monospace": true, "cursive": true, "fantasy": true, "system-ui": true}

// parseFamily returns the first acceptable family of a font-family list:
// a generic family, or a name of at most 32 letters, digits, spaces,
// hyphens and underscores.
func parseFamily(v string) (string, bool) {
	for _, f := range strings.Split(v, ",") {
		if name, ok := familyName(f); ok {
			return name, true
		}
	}
	return "", false
}

func familyName(f string) (string, bool) {
	f = strings.TrimSpace(f)
	if len(f) >= 2 && (f[0] == '\'' || f[0] == '"') && f[len(f)-1] == f[0] {
		f = f[1 : len(f)-1]
	} else if g := strings.ToLower(f); genericFamilies[g] {
		return g, true
	}
	f = strings.Join(strings.Fields(f), " ")
	if f == "" || len(f) > 32 {
		return "", false
	}
	letter := false
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9' || c == ' ' || c == '-' || c == '_':
		default:
			return "", false
		}
	}
	return f, letter
}

// validFamily reports whether f is a family name as parseFamily returns it.
func validFamily(f string) bool {
	if genericFamilies[f] {
		return true
	}
	n, ok := familyName("'" + f + "'")
	return ok && n == f
}

// cssFamily writes a family for a style attribute.
func cssFamily(f string) string {
	if genericFamilies[f] {
		return f
	}
	return "'" + f + "'"
}

// stripImportant removes a trailing "!important".
func stripImportant(v string) string {
	const imp = "important"
	if len(v) >= len(imp) && strings.EqualFold(v[len(v)-len(imp):], imp) {
		if w, ok := strings.CutSuffix(strings.TrimSpace(v[:len(v)-len(imp)]), "!"); ok {
			return strings.TrimSpace(w)
		}
	}
	return v
}

// blockStyle is the part of a style attribute that lays out blocks.
type blockStyle struct {
	align     Align
	alignSet  bool
	indent    int
	indentSet bool
}

// maxStyleAttr bounds the style attribute read; the rest is ignored.
const maxStyleAttr = 1024

// applyStyle applies a style attribute to st (the text style inherited
// from the parent, whose font size is parent) and returns the block
// properties it sets.
func applyStyle(attr string, st *Style, parent Size) blockStyle {
	var bs blockStyle
	if len(attr) > maxStyleAttr {
		attr = attr[:maxStyleAttr]
	}
	for _, decl := range strings.Split(attr, ";") {
		prop, val, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		prop = strings.ToLower(strings.TrimSpace(prop))
		raw := stripImportant(strings.TrimSpace(val))
		val = strings.ToLower(raw)
		if val == "" || strings.ContainsAny(val, "\\/<>{}") || strings.ContainsAny(val, "\"'") && prop != "font-family" {
			continue // escapes, comments, url(...)/... and stray markup: never a value we accept
		}
		switch prop {
		case "color":
			if c, ok := ParseColor(val); ok {
				st.Color = c
			}
		case "background-color", "background":
			if c, ok := ParseColor(val); ok {
				st.Background = c
			}
		case "font-weight":
			switch val {
			case "bold", "bolder":
				st.Bold = true
			case "normal", "lighter":
				st.Bold = false
			default:
				if n, err := strconv.Atoi(val); err == nil && n >= 1 && n <= 1000 {
					st.Bold = n >= 600
				}
			}
		case "font-style":
			switch {
			case val == "italic" || val == "oblique" || strings.HasPrefix(val, "oblique "):
				st.Italic = true
			case val == "normal":
				st.Italic = false
			}
		case "text-decoration", "text-decoration-line":
			for _, w := range strings.Fields(val) {
				switch w {
				case "underline":
					st.Underline = true
				case "line-through":
					st.Strike = true
				}
			}
		case "font-size":
			if s, ok := parseFontSize(val, parent); ok {
				st.Size = s
			}
		case "font-family":
			if strings.ContainsAny(val, "()") {
				continue
			}
			if f, ok := parseFamily(raw); ok { // names keep their case
				st.Family = f
			}
		case "margin-left":
			if n, ok := parseIndent(val); ok {
				bs.indent, bs.indentSet = n, true
			}
		case "text-align":
			a := AlignDefault
			switch val {
			case "left":
				a = AlignLeft
			case "center":
				a = AlignCenter
			case "right":
				a = AlignRight
			case "justify":
				a = AlignJustify
			case "start":
			default:
				continue
			}
			bs.align, bs.alignSet = a, true
		}
	}
	return bs
}
