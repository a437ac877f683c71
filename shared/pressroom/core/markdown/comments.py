"""HTML comments in Markdown, dropped as goldmark drops them when raw HTML is not allowed.

With raw HTML off (the default), pressroom shows raw HTML as text (SPEC 3.5) where goldmark
omits it; a comment is the exception, because an author writes one to hide a note from readers,
and goldmark drops it without a trace (not even its `<!-- raw HTML omitted -->`). Shown as text,
the note would be published. CommonMark 0.31's rules: a block comment is an HTML block of type 2
(from a line starting `<!--` to the line holding `-->`, all of both lines); an inline comment is
`<!-->`, `<!--->`, or `<!--` up to the first `-->`.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

OPEN, CLOSE = "<!--", "-->"
_UNCLOSED_FROM = "pressroom_unclosed_comment_from"
"""The render's env key: (inline text, position) past which that text holds no `-->`."""


def drop_comments(md: MarkdownIt) -> None:
    """Parse HTML comments (blocks and inline) into tokens that render nothing."""
    md.block.ruler.before(
        "html_block", "html_comment_block", _comment_block, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.inline.ruler.before("html_inline", "html_comment_inline", _comment_inline)
    md.add_render_rule("html_comment", lambda *args: "")


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.is_code_block(start_line):
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith(OPEN, start, state.eMarks[start_line]):
        return False
    if silent:
        return True
    line = start_line
    first = start + len(OPEN)  # `<!-->` closes on its own opening: the search starts after `<!--`
    while line < end_line and CLOSE not in state.src[first - 2 if line == start_line else first : state.eMarks[line]]:
        line += 1
        if line < end_line:
            first = state.bMarks[line]
    token = state.push("html_comment", "", 0)
    token.map = [start_line, min(line + 1, end_line)]
    state.line = min(line + 1, end_line)
    return True


def _comment_inline(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith(OPEN, pos):
        return False
    if src.startswith(">", pos + 4) or src.startswith("->", pos + 4):
        end = pos + 5 if src[pos + 4] == ">" else pos + 6
    else:
        # Once no `-->` follows some `<!--`, none follows a later one: remembered for this text,
        # else a paragraph of unclosed `<!--` would search to its end from each (quadratic).
        unclosed = state.env.get(_UNCLOSED_FROM)
        if unclosed is not None and unclosed[0] is src and pos >= unclosed[1]:
            return False
        close = src.find(CLOSE, pos + 4)
        if close < 0:
            state.env[_UNCLOSED_FROM] = (src, pos)
            return False
        end = close + len(CLOSE)
    if not silent:
        state.push("html_comment", "", 0)
    state.pos = end
    return True
