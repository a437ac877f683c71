"""goldmark's typographer: curly quotes and apostrophes, dashes, ellipses and angle quotes.

Pure string functions, independent of the Markdown parser: `Typographer.smarten` takes the
text of one run (a text node: no code, no URL, no HTML) with the character before it and the
one after it, and returns it with goldmark's substitutions. One `Typographer` lives for one
block (paragraph, heading, table cell...): its open-quote counters are goldmark's, reset per
block. The rules follow goldmark's `extension/typographer.go` case by case; goldmark writes the
entities (``&rsquo;``), this writes the characters they stand for, which a reader sees alike.

>>> Typographer().smarten('"It\\'s 1990s -- and so..."')
'“It’s 1990s – and so…”'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["Typographer", "smarten"]

LEFT_SINGLE, RIGHT_SINGLE, LEFT_DOUBLE, RIGHT_DOUBLE = "\u2018", "\u2019", "\u201c", "\u201d"
EN_DASH, EM_DASH, ELLIPSIS, LEFT_ANGLE, RIGHT_ANGLE = "\u2013", "\u2014", "\u2026", "\u00ab", "\u00bb"
APOSTROPHE = RIGHT_SINGLE

_TRIGGER_RE = re.compile(r"['\"<>]|--|\.\.\.")
"""Where a substitution can start: text without any is returned as it is."""


def _is_space(char: str) -> bool:
    return char.isspace()


def _is_punct(char: str) -> bool:
    """goldmark's util.IsPunctRune: ASCII punctuation or a Unicode punctuation/symbol category."""
    return unicodedata.category(char)[0] in "PS"


def _is_ascii_punct(char: str) -> bool:
    """goldmark's util.IsPunct (a byte): ASCII punctuation only."""
    return char.isascii() and not char.isalnum() and not char.isspace() and char.isprintable()


def _is_unicode_punct(char: str) -> bool:
    """Go's unicode.IsPunct: the P categories only."""
    return unicodedata.category(char)[0] == "P"


def _flanking(before: str, after: str) -> tuple[bool, bool]:
    """CommonMark's left/right flanking of a one-character delimiter run (goldmark's ScanDelimiter)."""
    before_punct, before_space = _is_punct(before), _is_space(before)
    after_punct, after_space = _is_punct(after), _is_space(after)
    can_open = not after_space and (not after_punct or before_space or before_punct)
    can_close = not before_space and (not before_punct or after_space or after_punct)
    return can_open, can_close


class Typographer:
    """The substitutions of one block; `smarten` is called for each text run in order."""

    __slots__ = ("double", "single")

    def __init__(self) -> None:
        self.single = 0
        self.double = 0

    def smarten(self, text: str, before: str = "\n", after: str = " ") -> str:
        """`text` with goldmark's substitutions; `before`/`after` are its neighbours in the block."""
        found = _TRIGGER_RE.search(text)
        if found is None:
            return text
        line = text + after  # goldmark looks at the rest of the line, past this run
        out: list[str] = []
        copied = 0
        while found is not None:
            i = found.start()
            replacement, used = self._at(line, i, text[i - 1] if i else before)
            if replacement is not None:
                out.append(text[copied:i])
                out.append(replacement)
                copied = i + used
            found = _TRIGGER_RE.search(text, max(i + used, copied))
        out.append(text[copied:])
        return "".join(out)

    def _at(self, line: str, i: int, before: str) -> tuple[str | None, int]:
        c = line[i]
        n = len(line) - i
        if n > 2:
            if c == "-" and line[i + 1] == "-" and line[i + 2] == "-":
                return EM_DASH, 3
            if c == ".":
                return (ELLIPSIS, 3) if line[i + 1] == "." and line[i + 2] == "." else (None, 1)
        if n > 1:
            if c == "<":
                return (LEFT_ANGLE, 2) if line[i + 1] == "<" else (None, 1)
            if c == ">":
                return (RIGHT_ANGLE, 2) if line[i + 1] == ">" else (None, 1)
            if c == "-" and line[i + 1] == "-":
                return EN_DASH, 2
        if c == "'":
            return self._single(line[i : i + 5], n, line[i + 1 :], before)
        if c == '"':
            return self._double(line[i : i + 5], n, line[i + 1 :], before)
        return None, 1

    def _single(self, line: str, n: int, rest: str, before: str) -> tuple[str | None, int]:
        """`line`: the next few characters from the quote on; `n`: how many the line has left."""
        stripped = rest.lstrip("'")
        can_open, can_close = _flanking(before, stripped[0] if stripped else " ")
        # Decade abbreviations such as '90s
        if can_open and not can_close and n > 3 and line[1].isdigit() and line[2].isdigit() and line[3] == "s":
            following = line[4] if n > 4 else " "
            if _is_space(following) or _is_punct(following):
                return APOSTROPHE, 1
        # 'twas, 'em, 'net
        if n > 1 and (_is_unicode_punct(before) or _is_space(before)) and line[1] in "tenl":
            return APOSTROPHE, 1
        # An apostrophe between two alphanumerics
        if n > 1 and (before.isdigit() or before.isalpha()) and line[1].isalpha():
            return APOSTROPHE, 1
        if can_open and not can_close:
            kind = LEFT_SINGLE
            # Alice's, I'm, Don't, You'd
            if n > 1 and line[1] in "smtd" and (n < 3 or _is_ascii_punct(line[2]) or _is_space(line[2])):
                kind = RIGHT_SINGLE
            # I've, I'll, You're
            if n > 2 and line[1:3] in ("ve", "ll", "re") and (n < 4 or _is_ascii_punct(line[3]) or _is_space(line[3])):
                kind = RIGHT_SINGLE
            if kind == LEFT_SINGLE:
                self.single += 1
            return kind, 1
        # Plural possessives and abbreviations: Smiths', doin' (goldmark's condition, as written:
        # the quote itself is punctuation, so any quote with two more characters, no digit next)
        if n > 2 and not line[1].isdigit():
            return RIGHT_SINGLE, 1
        if self.single > 0 and self._closes(line, n, can_open, can_close):
            self.single -= 1
            return RIGHT_SINGLE, 1
        return None, 1

    def _double(self, line: str, n: int, rest: str, before: str) -> tuple[str | None, int]:
        stripped = rest.lstrip('"')
        can_open, can_close = _flanking(before, stripped[0] if stripped else " ")
        if can_open and not can_close:
            self.double += 1
            return LEFT_DOUBLE, 1
        if self.double > 0 and self._closes(line, n, can_open, can_close):
            if n > 1 and line[1] == '"' and before.isdigit():  # "Monitor 21""
                return None, 1
            self.double -= 1
            return RIGHT_DOUBLE, 1
        return None, 1

    @staticmethod
    def _closes(line: str, n: int, can_open: bool, can_close: bool) -> bool:
        if can_close and not can_open:
            return True
        return (
            can_close
            and can_open
            and n > 1
            and _is_unicode_punct(line[1])
            and (n == 2 or (n > 2 and _is_ascii_punct(line[2])) or _is_space(line[2]))
        )


def smarten(text: str) -> str:
    """One block of plain text with goldmark's substitutions (for titles and other short text)."""
    return Typographer().smarten(text)
