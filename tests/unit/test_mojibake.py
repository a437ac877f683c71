"""Encoding damage: the seed post's mojibake is found and repaired; correct text never is."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pressroom.core.reading.mojibake import Damage, find_damage, repair

# /work/main/tests/unit/test_mojibake.py -> /work/shared/fixtures/seed-post.md
SEED_POST = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "seed-post.md"

APPLE = "\uf8ff"  # Mac Roman 0xF0, the lead byte of every four-byte UTF-8 sequence

# Damaged lines copied from the seed post, so these tests mean something without the fixture.
SEED_EXCERPT = (
    "---\n"
    f'title: "{APPLE}üõ£Ô∏è Blog manifesto, my goals and why I started this blog"\n'
    "---\n"
    "My path through AI has been incredibly enriching‚Äîfrom academic research to startups to"
    " big tech‚Äîeach experience taught me something valuable.\n"
    f"## {APPLE}üîÑ Rediscovering the Old, Exploring the New\n"
    f"## {APPLE}üéØ What to Expect from This Blog\n"
    f"- **{APPLE}ü§î Personal takes** on ML research, interesting ideas, papers, and projects\n"
    f"- **{APPLE}üß† Critical analysis** of AI trends without falling for hype\n"
    f"- **{APPLE}üîß Practical insights** from someone who's led R&D teams and built real"
    " products\n"
    f"- **{APPLE}üìö Educational content** that makes complex concepts accessible\n"
    f"- **{APPLE}üå± Open science advocacy** and discussions on AI's ethical implications\n"
)

SEED_EMOJI = ("🛣️", "🔄", "🎯", "🤔", "🧠", "🔧", "📚", "🌱")


def _seed_texts() -> list[str]:
    """The embedded excerpt, and the real seed post when the shared fixtures are present."""
    texts = [SEED_EXCERPT]
    if SEED_POST.exists():
        texts.append(SEED_POST.read_text(encoding="utf-8"))
    return texts


def mac_roman_mojibake(text: str) -> str:
    """What a tool that reads UTF-8 bytes as Mac Roman shows."""
    return text.encode("utf-8").decode("mac_roman")


def windows_1252_mojibake(text: str) -> str:
    """What a browser reading UTF-8 bytes as Windows-1252 shows (undefined bytes stay C1)."""
    return "".join(bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in text.encode("utf-8"))


# --- the seed post ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", _seed_texts(), ids=lambda text: f"{len(text)} chars")
def test_seed_post_title_emoji_and_dashes_are_repaired(text: str) -> None:
    repaired = repair(text)

    assert 'title: "🛣️ Blog manifesto, my goals and why I started this blog"' in repaired
    for emoji in SEED_EMOJI:
        assert emoji in repaired
    assert "enriching—from academic research to startups to big tech—each" in repaired
    assert APPLE not in repaired
    assert "‚Ä" not in repaired
    assert "Ô∏è" not in repaired
    ascii_lines = [(number, line) for number, line in enumerate(text.splitlines()) if line.isascii()]
    assert [(number, repaired.splitlines()[number]) for number, _ in ascii_lines] == ascii_lines


@pytest.mark.parametrize("text", _seed_texts(), ids=lambda text: f"{len(text)} chars")
def test_repairing_the_seed_post_twice_changes_nothing_more(text: str) -> None:
    once = repair(text)

    assert repair(once) == once
    assert find_damage(once) == []


def test_seed_excerpt_damage_is_reported_where_it_is() -> None:
    damages = find_damage(SEED_EXCERPT)

    assert damages[:3] == [
        Damage(line=2, column=9, damaged=f"{APPLE}üõ£Ô∏è", repaired="🛣️"),
        Damage(line=4, column=49, damaged="‚Äî", repaired="—"),
        Damage(line=4, column=98, damaged="‚Äî", repaired="—"),
    ]
    assert [damage.repaired for damage in damages[3:]] == ["🔄", "🎯", "🤔", "🧠", "🔧", "📚", "🌱"]
    assert [damage.line for damage in damages[3:]] == [5, 6, 7, 8, 9, 10, 11]


def test_real_seed_post_has_exactly_its_known_damage() -> None:
    text = SEED_POST.read_text(encoding="utf-8") if SEED_POST.exists() else SEED_EXCERPT
    repaired = [damage.repaired for damage in find_damage(text)]

    assert sorted(set(repaired)) == sorted({"—", *SEED_EMOJI})
    assert len([emoji for emoji in repaired if emoji != "—"]) == len(SEED_EMOJI)


# --- damage is repaired ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("damaged", "expected"),
    [
        # Mac Roman
        ("Caf√© ‚Äî d√©j√† vu", "Café — déjà vu"),
        ("na√Øve √Öngstr√∂m M√ºller", "naïve Ångström Müller"),
        ("‚ÄúQuoted‚Äù and ‚Äòsingle‚Äô‚Ä¶", "“Quoted” and ‘single’…"),
        ("costs 5‚Ç¨, ¬© 2024, 20¬∞C", "costs 5€, © 2024, 20°C"),
        ("‚ù§Ô∏è and ‚úÖ", "❤️ and ✅"),
        ("‰∏≠ÊñáÊó•Êú¨Ë™û", "中文日本語"),
        ("–ü—Ä–∏–≤–µ—Ç –º–∏—Ä", "Привет мир"),
        ("ŒªœåŒ≥ŒøœÇ", "λόγος"),
        ("dec¬≠omposed: eÃÅ", "dec\u00adomposed: e\u0301"),
        ("l‚Äô√©t√©", "l’été"),
        # Windows-1252 / Latin-1
        ("cafÃ© â€” dÃ©jÃ\xa0 vu", "café — déjà vu"),
        ("itâ€™s â€œquotedâ€\x9d", "it’s “quoted”"),
        ("ðŸ¤” ðŸ’” â\x80\x94", "🤔 💔 —"),
        ("ï»¿BOM", "\ufeffBOM"),
        ("Ã‰cole, Ã–sterreich, Ã\xa0 bientÃ´t", "École, Österreich, à bientôt"),
        ("Â© 2024 Â·", "© 2024 ·"),
    ],
)
def test_damaged_text_is_repaired(damaged: str, expected: str) -> None:
    assert repair(damaged) == expected


def test_only_the_damaged_run_is_reported_not_the_word_around_it() -> None:
    assert find_damage("a caf√© here\nand ‚Äî there") == [
        Damage(line=1, column=6, damaged="√©", repaired="é"),
        Damage(line=2, column=5, damaged="‚Äî", repaired="—"),
    ]


def test_correct_characters_next_to_damage_stay_as_they_are() -> None:
    # "é" right before the damaged dash, and "’é" (valid UTF-8 through Mac Roman) in "l’été".
    assert repair("café‚Äî l’été ü ‚Äî ü") == "café— l’été ü — ü"


# --- correct text is never touched -----------------------------------------------------------


CORRECT_TEXTS = [
    "café, naïve, Ångström, Müller, façade, jalapeño, smørrebrød, Ærø",
    "“smart quotes” and ‘single ones’… – and — dashes",
    "l’été, d’être, qu’à, “École”, «\u00a0Ça va\u00a0?\u00a0», „Äpfel“, ‚Über‘",
    "CAFÉ”—and more: “SÃO PAULO”, “HÔTEL”, NAÏVE’s",
    "🛣️ 🤔 🔧 📚 🌱 ❤️ 👩‍💻 🇫🇷 ✅",
    "中文 日本語 한국어 Привет мир λόγος שלום مرحبا",
    "ü",
    "Ô",
    "ü Ô ß é",
    "Σ ≈ 3 ± 0.1, x ≥ 2, √2, π, ∞, 20 °C, © 2024, 5 €, 10 £, ™, ®",
    "É» «École» ÉÉ ÜÖÄ äöüß œuvre cœur Œdipe",
    "déjà‐vu façon • bullets † daggers ‡ ¶ §",
    f"{APPLE} alone is a private-use character, not damage",
    "ASCII only, with\ttabs and\r\nCRLF lines",
    "",
]


@pytest.mark.parametrize("text", CORRECT_TEXTS)
def test_correct_text_is_left_alone(text: str) -> None:
    assert find_damage(text) == []
    assert repair(text) == text


def test_text_without_damage_comes_back_as_the_same_object() -> None:
    ascii_text = "Plain ASCII post body.\n" * 450  # ~10 KB
    accented = "Café naïve “quoted” — 🛣️ 中文.\n" * 330

    assert repair(ascii_text) is ascii_text
    assert repair(accented) is accented


# --- properties ------------------------------------------------------------------------------

WORDS = [
    "café", "naïve", "Ångström", "Müller", "CAFÉ", "ÉCOLE", "Œuvre", "cœur", "smørrebrød",
    "jalapeño", "façade", "Zürich", "Straße", "l’été", "d’être", "“École”", "‘Ü’", "…", "–",
    "«\u00a0Ça\u00a0»", "—", "Ô", "🛣️", "🤔", "👩‍💻", "中文", "日本語", "Привет", "λόγος", "a",
    "the", "Éé", "ÜÖÄ", "“", "”", "’",
]  # fmt: skip
SEPARATORS = [" ", "  ", "\n", ", ", ". ", " — ", "—", "’", "”", "-", ""]


@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=40))
def test_realistic_correct_text_is_never_changed(tokens: list[tuple[str, str]]) -> None:
    text = "".join(word + separator for word, separator in tokens)

    assert repair(text) == text


def _windows_1252_byte(char: str) -> bytes:
    return char.encode("latin-1") if "\x80" <= char <= "\x9f" else char.encode("cp1252")


def _could_be_a_utf8_sequence(text: str) -> bool:
    """Whether any 2-4 adjacent characters, read back through either codec, are valid UTF-8."""
    for encode in (lambda char: char.encode("mac_roman"), _windows_1252_byte):
        for start in range(len(text)):
            for length in (2, 3, 4):
                window = text[start : start + length]
                if len(window) < length or window.isascii():
                    continue
                try:
                    data = b"".join(encode(char) for char in window)
                    data.decode("utf-8")
                except (UnicodeError, ValueError):
                    continue
                return True
    return False


@given(st.text(max_size=60).filter(lambda text: not _could_be_a_utf8_sequence(text)))
def test_text_that_cannot_hold_a_damaged_sequence_is_never_changed(text: str) -> None:
    assert repair(text) == text


# Characters whose damaged form reads unmistakably, alone or next to each other.
INTENDED = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0xA0, max_codepoint=0x1BF),  # Latin-1, Latin Extended-A
    st.characters(min_codepoint=0x2010, max_codepoint=0x205E),  # dashes, quotes, …, ‰
    st.characters(min_codepoint=0x2190, max_codepoint=0x22FF),  # arrows, mathematics
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FEF),  # CJK
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1F64F),  # emoji
    st.sampled_from(["\ufe0f", "\u200d", "€", "™"]),
)
CYRILLIC_OR_GREEK_WORD = st.text(
    alphabet=st.sampled_from("абвгдежзийклмнопрстуфхцчшщъыьэюяΑαβγδεζηθικλμνξοπρστυφχψωό"),
    min_size=3,  # one- and two-letter words can read as prose through Mac Roman; left alone
)


@given(st.lists(st.one_of(st.text(INTENDED, min_size=1), CYRILLIC_OR_GREEK_WORD), min_size=1))
def test_mac_roman_damaged_post_round_trips(words: list[str]) -> None:
    # A whole post is damaged, title included: a short run both codecs read with equal length
    # (CJK "嵇" + NBSP reads "Âµá¬†") goes to the codec that explains the rest of the post.
    post = "title: 🛣️ Notes — a start\n\n" + " ".join(words)

    assert repair(mac_roman_mojibake(post)) == post


WINDOWS_1252_INTENDED = st.one_of(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(min_codepoint=0xA0, max_codepoint=0xFF),  # Latin-1
    st.characters(min_codepoint=0x2010, max_codepoint=0x205E),
    st.characters(min_codepoint=0x2190, max_codepoint=0x22FF),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1F64F),
)


@given(st.text(WINDOWS_1252_INTENDED, min_size=1))
def test_windows_1252_damage_round_trips(text: str) -> None:
    assert repair(windows_1252_mojibake(text)) == text


@given(st.text(st.sampled_from("ab \n\t√©‚Äî¬∞Ã©â€”\uf8ffü§îé’“ÉÔ"), max_size=80))
def test_reported_damage_is_exactly_what_repair_replaces(text: str) -> None:
    lines = text.split("\n")
    for damage in reversed(find_damage(text)):
        line = lines[damage.line - 1]
        start = damage.column - 1
        assert line[start : start + len(damage.damaged)] == damage.damaged
        lines[damage.line - 1] = line[:start] + damage.repaired + line[start + len(damage.damaged) :]

    assert "\n".join(lines) == repair(text)
