#!/usr/bin/python3
# Makes symbols-{regular,bold,italic,bolditalic}.ttf, the fonts that
# uitest.Theme (internal/uitest/theme.go) puts before Fyne's bundled Noto Sans
# in the ui tests: the characters of the app's texts that Noto Sans lacks
# (→ ▍ ✎ ✓), from DejaVu Sans, so that no font of the machine draws them.
#
# Fyne resolves a string's line height and the width of a run of spaces
# with the first font that has a space, and a space after a symbol stays
# in the symbol's font: each font therefore has a space, and Noto Sans's
# units per em, vertical metrics and space width, so that text measures
# as with Noto Sans alone (a run of nothing but spaces is shaped in this
# font, as a run of its own: the text after it may be drawn a fraction of
# a pixel apart).
#
# DejaVu's copyright and licence (Bitstream Vera's terms, DejaVu's changes
# in the public domain) stay in each font's name table.
#
# Debian 12: apt-get install python3-fonttools fonts-dejavu-core
# fonts-dejavu-extra; run from anywhere: /usr/bin/python3 make-symbols.py
import os

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

SYMBOLS = [0x2192, 0x258D, 0x270E, 0x2713]  # → ▍ ✎ ✓
DEJAVU = "/usr/share/fonts/truetype/dejavu"
# Noto Sans as Fyne 2.7 bundles it, all four styles alike.
UPEM, ASCENT, DESCENT, SPACE = 1000, 1069, -293, 260

here = os.path.dirname(os.path.abspath(__file__))
for src, style, name in [
    ("DejaVuSans.ttf", "regular", "Regular"),
    ("DejaVuSans-Bold.ttf", "bold", "Bold"),
    ("DejaVuSans-Oblique.ttf", "italic", "Italic"),
    ("DejaVuSans-BoldOblique.ttf", "bolditalic", "Bold Italic"),
]:
    font = TTFont(os.path.join(DEJAVU, src), recalcTimestamp=False)  # same bytes each run
    opts = subset.Options()
    opts.layout_features = []  # no ligatures or kerning with the text around
    opts.hinting = False  # Fyne draws unhinted
    opts.drop_tables += ["FFTM"]
    opts.name_IDs = [0, 1, 2, 4, 6, 13, 14]  # keep the copyright and licence
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[0x20] + SYMBOLS)
    sub.subset(font)
    scale_upem(font, UPEM)
    hhea, os2 = font["hhea"], font["OS/2"]
    hhea.ascent, hhea.descent, hhea.lineGap = ASCENT, DESCENT, 0
    os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = ASCENT, DESCENT, 0
    os2.usWinAscent, os2.usWinDescent = ASCENT, -DESCENT
    space = font.getBestCmap()[0x20]
    font["hmtx"][space] = (SPACE, 0)
    # A modified DejaVu: another name (the Bitstream Vera licence asks it of
    # fonts named Bitstream or Vera; DejaVu is neither, this is just clear).
    family = "Causerie Test Symbols"
    for rec in list(font["name"].names):
        if rec.nameID == 1:
            rec.string = family
        elif rec.nameID == 4:
            rec.string = family + " " + name
        elif rec.nameID == 6:
            rec.string = family.replace(" ", "") + "-" + name.replace(" ", "")
    font.save(os.path.join(here, "symbols-%s.ttf" % style))
