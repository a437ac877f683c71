"""Find and repair text damaged by a wrong encoding ("mojibake").

The damage pressroom meets is UTF-8 bytes that some tool decoded as Mac Roman: the seed post's
title reads ``\\uf8ffüõ£Ô∏è`` where ``🛣️`` was meant, and its em dashes read ``‚Äî``. The same
accident with Windows-1252 (or Latin-1) gives ``â€”`` and ``Ã©``. Both are repaired here.

Why not ftfy: it repairs only some of the seed post's damaged emoji, it would be a dependency on
the Lambda path, and its whole-string heuristics are harder to reason about than the rule below.

How a repair is found, for each of the two codecs:

1. Take each maximal run of two or more non-ASCII characters that the codec can encode (ASCII is
   never part of a damaged sequence: every byte of a multi-byte UTF-8 sequence is >= 0x80, so
   the text around a damaged run is never touched).
2. Encode the run back to bytes and walk it, taking every complete, strictly valid multi-byte
   UTF-8 sequence (lead byte plus all its continuation bytes; no overlongs, no surrogates) that
   decodes to a real character; every other byte stays the character it was.
3. Judge each sequence by how it reads. A *strong* sequence is one no correct text contains,
   e.g. ``√©``, ``‚Äî``, ``\\uf8ffü§î``, ``Ã©``, ``â€”``. A *weak* one could be correct text:
   ``’é`` in French "l’été" is valid UTF-8 when read back through Mac Roman, and so is ``É”``
   in “CAFÉ” through Windows-1252.
4. Adjacent sequences form a chain; a chain is repaired when it holds a strong sequence or, for
   Mac Roman, at least three sequences (prose has no six non-ASCII characters in a row that
   pair up so; a damaged Cyrillic word, whose letters all read weak through Mac Roman, does),
   and is left alone otherwise.

Where both codecs claim overlapping text, the longer repair wins, then the codec that explains
more of the text (a document is damaged one way), then Windows-1252 (``Ã©`` alone is ``é`` far
more often than Mac Roman's combining U+0329).

Known limits, chosen to keep correct text safe: one or two weak sequences alone are not
repaired (Mac Roman ``–Ω–∞`` for the Russian ``на``, Windows-1252 ``Ä…`` for ``ą``). Correct
text that reads as damage is repaired all the same: ``Ã``, ``Â`` or ``â`` directly followed by
a character from the codec's 0x80-0xBF, or a capital accented vowel directly followed by two
accented letters (``Èéé``). Text damaged twice needs two repairs.

Example::

    >>> repair("Caf√© ‚Äî d√©j√† vu")
    'Café — déjà vu'
    >>> repair("l’été, naïve, “École”")
    'l’été, naïve, “École”'
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["Damage", "find_damage", "repair"]


@dataclass(frozen=True)
class Damage:
    """One damaged run: where it is, how it reads, and what it should read."""

    line: int  # 1-based line number in the text
    column: int  # 1-based column (in characters) of the damaged run
    damaged: str  # the damaged run as it reads
    repaired: str  # what it should read


@dataclass(frozen=True)
class _Codec:
    """A single-byte codec that UTF-8 text may have been wrongly decoded with."""

    name: str
    # str.translate table: each non-ASCII character the codec yields -> the code point of its
    # byte, so that run.translate(table).encode("latin-1") gives back the bytes in C code.
    byte_table: Mapping[int, int]
    strong_leads: frozenset[str]  # lead characters after which no correct text has a 0x80-0xBF
    # Continuations that, all following a letter lead, still read as prose in a three- or
    # four-byte sequence ("é”—" closes a quote and opens a dash after "café"; "é—Œ" too).
    prose_continuations: frozenset[str]
    # Length from which a chain of weak sequences alone is repaired; None: never.
    weak_chain_length: int | None
    tie_rank: int  # lower wins when two codecs claim equally long overlapping repairs
    run_pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Sequence:
    """A valid multi-byte UTF-8 sequence found inside a run, as text offsets."""

    start: int
    end: int
    decoded: str
    strong: bool


@dataclass(frozen=True)
class _Repair:
    """A chain of sequences accepted as damage, with its replacement."""

    start: int
    end: int
    replacement: str
    codec: _Codec


# Punctuation that correct text puts right after (or before) a letter; a sequence built from
# these reads as ordinary prose ("CAFÉ”", "l’été") and is only weak evidence of damage.
_WORD_PUNCTUATION = frozenset("’‘”“–—…«»‹›\u00a0")

# Four-byte sequences decoding here are emoji and pictographs; Python's Unicode tables may
# predate the newest of them, so unassigned code points in this block are still accepted.
_EMOJI_BLOCK = range(0x1F000, 0x1FB00)

_UNREAL_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})


def _codec(
    name: str,
    byte_of: Mapping[str, int],
    strong_leads: str,
    prose_continuations: frozenset[str],
    weak_chain_length: int | None,
    tie_rank: int,
) -> _Codec:
    char_class = "".join(re.escape(char) for char in sorted(byte_of))
    return _Codec(
        name=name,
        byte_table={ord(char): byte for char, byte in byte_of.items()},
        strong_leads=frozenset(strong_leads),
        prose_continuations=prose_continuations,
        weak_chain_length=weak_chain_length,
        tie_rank=tie_rank,
        run_pattern=re.compile(f"[{char_class}]{{2,}}"),
    )


def _mac_roman_bytes() -> dict[str, int]:
    return {bytes([byte]).decode("mac_roman"): byte for byte in range(0x80, 0x100)}


def _windows_1252_bytes() -> dict[str, int]:
    """Windows-1252 as browsers and editors apply it, plus Latin-1's C1 controls.

    Bytes Windows-1252 leaves undefined (0x81, 0x8D, ...) survive as the C1 control of the same
    number, and a Latin-1 decoder turns every 0x80-0x9F into its C1 control, so those controls
    map back to their byte too.
    """
    byte_of = {chr(byte): byte for byte in range(0x80, 0xA0)}
    for byte in range(0x80, 0x100):
        with contextlib.suppress(UnicodeDecodeError):  # the five bytes cp1252 leaves undefined
            byte_of[bytes([byte]).decode("cp1252")] = byte
    return byte_of


def _sequence_length(lead: int) -> int:
    """Length of the UTF-8 sequence a lead byte starts, 0 if it cannot start one."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _is_real_character(char: str) -> bool:
    """Whether a decoded character is one text would contain (not a control, surrogate or PUA)."""
    category = unicodedata.category(char)
    return category not in _UNREAL_CATEGORIES or (category == "Cn" and ord(char) in _EMOJI_BLOCK)


def _is_plausible_after_letter(char: str) -> bool:
    return char in _WORD_PUNCTUATION or unicodedata.category(char).startswith("L")


_WINDOWS_1252_BYTES = _windows_1252_bytes()

_CODECS = (
    # ¬ √ ƒ ≈ ∆ ÷ ◊ ⁄ lead two-byte sequences (U+0080-01BF: Latin-1 and Latin Extended-A; Hebrew,
    # Arabic), Ã the combining accents of decomposed text (e + U+0301 reads "eÃÅ"); ‡ · ‚ „ ‰ lead
    # three-byte ones (U+0800-4FFF: punctuation, symbols, CJK); U+F8FF (Mac Roman's Apple logo at
    # 0xF0) leads every four-byte one. None precede an accented letter or a symbol in correct text.
    # Its 0x80-0xBF hold no punctuation, and no prose puts two of them after a capital accented
    # vowel, so every valid three-byte sequence is strong: a lone "Êñá" (文) is repaired.
    _codec(
        "mac_roman",
        _mac_roman_bytes(),
        strong_leads="¬√ƒ≈∆÷◊⁄Ã‡·‚„‰\uf8ff",
        prose_continuations=frozenset(),
        # Cyrillic reads weak letter by letter ("—Ä—É—Å" is рус); "—ü—Å" could be prose.
        weak_chain_length=3,
        tie_rank=1,
    ),
    # Ã Â lead U+0080-00FF, â leads U+2000-2FFF (dashes, quotes, ✓, €) and ð the emoji.
    _codec(
        "cp1252",
        _WINDOWS_1252_BYTES,
        strong_leads="ÃÂâð",
        prose_continuations=frozenset(char for char in _WINDOWS_1252_BYTES if _is_plausible_after_letter(char)),
        # Its weak pairs are a capital and punctuation ("Ô—Ô—Ô—"); real damage has strong ones.
        weak_chain_length=None,
        tie_rank=0,
    ),
)


def _is_strong(damaged: str, decoded: str, codec: _Codec) -> bool:
    """Whether a valid sequence reads as something correct text never contains."""
    lead, continuation = damaged[0], damaged[1:]
    if lead in codec.strong_leads or ord(decoded) in _EMOJI_BLOCK:
        return True
    if len(damaged) == 2:
        # "’é", "“É", "É”", "Œü": punctuation before a letter, or two letters, is prose.
        return lead not in _WORD_PUNCTUATION and not _is_plausible_after_letter(continuation)
    return not all(char in codec.prose_continuations for char in continuation)


def _sequences_in_run(run: str, offset: int, codec: _Codec) -> Iterator[_Sequence]:
    data = run.translate(codec.byte_table).encode("latin-1")
    index = 0
    while index < len(data):
        length = _sequence_length(data[index])
        if length and index + length <= len(data):
            try:
                decoded = data[index : index + length].decode("utf-8")
            except UnicodeDecodeError:
                decoded = ""
            if decoded and _is_real_character(decoded):
                damaged = run[index : index + length]
                yield _Sequence(
                    start=offset + index,
                    end=offset + index + length,
                    decoded=decoded,
                    strong=_is_strong(damaged, decoded, codec),
                )
                index += length
                continue
        index += 1


def _chains(sequences: Iterator[_Sequence]) -> Iterator[list[_Sequence]]:
    """Group sequences that touch each other (no stray character between them)."""
    chain: list[_Sequence] = []
    for sequence in sequences:
        if chain and chain[-1].end != sequence.start:
            yield chain
            chain = []
        chain.append(sequence)
    if chain:
        yield chain


def _repairs_for(text: str, codec: _Codec) -> Iterator[_Repair]:
    for match in codec.run_pattern.finditer(text):
        for chain in _chains(_sequences_in_run(match.group(), match.start(), codec)):
            weak_chain_repaired = codec.weak_chain_length is not None and len(chain) >= codec.weak_chain_length
            if weak_chain_repaired or any(sequence.strong for sequence in chain):
                yield _Repair(
                    start=chain[0].start,
                    end=chain[-1].end,
                    replacement="".join(sequence.decoded for sequence in chain),
                    codec=codec,
                )


def _find_repairs(text: str) -> list[_Repair]:
    """Accepted repairs in text order, no two overlapping."""
    if text.isascii():
        return []  # fast path: damage always contains non-ASCII characters
    candidates = [repair for codec in _CODECS for repair in _repairs_for(text, codec)]
    if not candidates:
        return []
    # A document is damaged one way: on a tie, the codec that explains more of it wins.
    explained: dict[str, int] = {}
    for candidate in candidates:
        explained[candidate.codec.name] = explained.get(candidate.codec.name, 0) + candidate.end - candidate.start
    candidates.sort(
        key=lambda repair: (
            repair.start - repair.end,
            -explained[repair.codec.name],
            repair.codec.tie_rank,
            repair.start,
        )
    )
    taken = bytearray(len(text))
    kept: list[_Repair] = []
    for candidate in candidates:
        if not any(taken[candidate.start : candidate.end]):
            taken[candidate.start : candidate.end] = b"\x01" * (candidate.end - candidate.start)
            kept.append(candidate)
    return sorted(kept, key=lambda repair: repair.start)


def find_damage(text: str) -> list[Damage]:
    """Every damaged run in text, in order, with its 1-based line and column.

    >>> find_damage("# \\uf8ffü§î Why\\nsure‚Äîwhy not")
    [Damage(line=1, column=3, damaged='\\uf8ffü§î', repaired='🤔'), \
Damage(line=2, column=5, damaged='‚Äî', repaired='—')]
    """
    damages: list[Damage] = []
    line, line_start, scanned = 1, 0, 0
    for found in _find_repairs(text):
        newlines = text.count("\n", scanned, found.start)
        if newlines:
            line += newlines
            line_start = text.rindex("\n", scanned, found.start) + 1
        scanned = found.start
        damages.append(
            Damage(
                line=line,
                column=found.start - line_start + 1,
                damaged=text[found.start : found.end],
                repaired=found.replacement,
            )
        )
    return damages


def repair(text: str) -> str:
    """text with every damaged run replaced by what it should read; all else is unchanged.

    Text without damage is returned as is (the same object), so callers can test for a change
    with ``is``.
    """
    repairs = _find_repairs(text)
    if not repairs:
        return text
    pieces: list[str] = []
    position = 0
    for found in repairs:
        pieces.append(text[position : found.start])
        pieces.append(found.replacement)
        position = found.end
    pieces.append(text[position:])
    return "".join(pieces)
