#!/usr/bin/env python3
"""Make the Simplified-Chinese font subset that yanglao embeds for its charts.

Source: Noto Sans CJK SC Regular (SIL Open Font License 1.1), as shipped by
Debian's `fonts-noto-cjk` package. Needs fontTools (`pip install fonttools`).

    apt-get install fonts-noto-cjk
    pip install fonttools
    python3 scripts/make-font-subset.py            # writes assets/fonts/

The character set is every character of CJK Unified Ideographs (U+4E00-U+9FFF)
and Extension A (U+3400-U+4DBF) that the source has (27,558 of 27,584: Noto
Sans CJK lacks the newest code points of both blocks), so rare place and person
names (鄌, 郚, 堃, 喆) draw; GB2312 (all 7445 characters: 6763 hanzi + symbols),
printable ASCII, Latin-1, the pinyin vowels with tone marks, general
punctuation, CJK symbols and punctuation and the full-width forms. Layout
tables (GSUB/GPOS), vertical metrics and hinting are dropped: the charts draw
horizontal text with plain advances, and the outlines are unchanged.

The output is deterministic for a given source font and fontTools version.
Writes:
    assets/fonts/NotoSansSC-yanglao-subset.otf
    assets/fonts/OFL.txt   (copyright notice of the source font + the OFL 1.1 text)
"""

import argparse
import pathlib
import re
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
DEFAULT_COPYRIGHT = "/usr/share/doc/fonts-noto-cjk/copyright"
FAMILY = "Noto Sans CJK SC"


def gb2312_chars():
    """Every character of GB2312 (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    out = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                out.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def ranges(*pairs):
    out = set()
    for lo, hi in pairs:
        out.update(chr(c) for c in range(lo, hi + 1))
    return out


def wanted_chars():
    chars = gb2312_chars()
    chars |= ranges(
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1 supplement (· × ÷ ° ± ¥ ...)
        (0x100, 0x17F),  # Latin extended-A (pinyin ā ē ī ō ū, Ī)
        (0x1CD, 0x1DC),  # pinyin ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ
        (0x2010, 0x2027),  # dashes, quotes, ellipsis
        (0x2030, 0x203A),  # per mille, primes, angle quotes
        (0x2190, 0x2195),  # arrows
        (0x2212, 0x2212),  # minus sign
        (0x2264, 0x2265),  # <= >=
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A (6,592)
        (0x4E00, 0x9FFF),  # CJK Unified Ideographs (20,992; rare place and person names: 鄌 郚 堃 喆)
        (0xFF01, 0xFF5E),  # full-width ASCII forms
        (0xFFE0, 0xFFE6),  # full-width ¢ £ ¬ ￣ ¦ ¥ ₩
    )
    return chars


def load_source(path):
    if path.endswith((".ttc", ".otc")):
        for font in TTCollection(path).fonts:
            if font["name"].getDebugName(1) == FAMILY:
                return font
        sys.exit(f"{path}: no face named {FAMILY!r}")
    return TTFont(path)


def ofl_text(copyright_file, notice):
    """The OFL 1.1 text from Debian's machine-readable copyright file."""
    text = pathlib.Path(copyright_file).read_text(encoding="utf-8")
    m = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, re.M)
    if not m:
        sys.exit(f"{copyright_file}: no 'License: SIL-1.1' block")
    lines = []
    for line in m.group(1).splitlines():
        line = line[1:]
        lines.append("" if line == "." else line)
    return f"{notice}\n\n" + "\n".join(lines).strip() + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default=DEFAULT_SOURCE)
    ap.add_argument("--copyright", default=DEFAULT_COPYRIGHT)
    ap.add_argument("--out-dir", default=str(pathlib.Path(__file__).resolve().parent.parent / "assets" / "fonts"))
    args = ap.parse_args()

    font = load_source(args.source)
    font.recalcTimestamp = False  # keep head.modified from the source: same input, same bytes
    notice = font["name"].getDebugName(0)
    chars = sorted(wanted_chars())

    opts = subset.Options()
    opts.layout_features = []
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)

    cmap = font.getBestCmap()
    missing = [c for c in chars if ord(c) not in cmap]
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    otf = out / "NotoSansSC-yanglao-subset.otf"
    font.save(otf, reorderTables=True)
    (out / "OFL.txt").write_text(
        ofl_text(args.copyright, f"{FAMILY} (subset): {notice}\nSubset made by scripts/make-font-subset.py."),
        encoding="utf-8",
    )
    print(f"{otf.name}: {otf.stat().st_size} bytes, {len(cmap)} characters")
    if missing:
        print(f"{len(missing)} requested characters are absent from the source: {''.join(missing)}")


if __name__ == "__main__":
    main()
