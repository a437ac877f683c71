"""Templates run in Jinja2's sandbox, with bounded work and output (SPEC 3.5).

A site brings templates (`layouts/*.html`, `layouts/shortcodes/*.html`) and whoever can write to
the source bucket can write them, so they are untrusted code. They run in Jinja2's
`ImmutableSandboxedEnvironment` (no attribute starting with `_`, no mutation of lists and
dicts, `str.format` sandboxed, `range` at most 100,000 items), with three more rules of ours:

- **No class-level reach.** Classes and modules are never handed to a template, and neither is
  a method bound to a class (a classmethod reached through an instance: `date.now()`,
  `tzinfo.no_cache(...)`), so a template cannot read the clock, files or the process.
- **Bounded work.** Each render gets a budget of `WORK_LIMIT` steps: one per loop iteration, and
  one per call, filter or operator plus one per 64 characters or items it takes or makes. A
  template past it stops with `TemplateLimitError`. The budget counts work, not seconds, so a
  page renders (or fails) the same in the full build and on the event path (SPEC 3.3.1);
  10,000,000 steps take 1 to 2 seconds here.
- **Bounded size.** No value a template makes (by `*`, `%`, `~`, `+`, a filter or a method) may
  pass `VALUE_LIMIT` characters or items, no integer argument may pass `INT_ARGUMENT_LIMIT`
  (a `center(10**9)` would allocate before any check), and no render may write more than
  `OUTPUT_LIMIT` characters.

The trusted theme's templates share the environment (a site's `layouts/` override them by name
and include them), so they run under the same rules; its largest outputs stay far inside them.
A site that brings no template runs the theme alone, outside the sandbox (`ThemeTemplates`):
nothing it renders is code of the site's.
An unsafe access or a limit is reported by `template_problem` with the template's file and line.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from itertools import islice
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

WORK_LIMIT = 10_000_000
"""Steps one render may take (see the module's docstring): a 50,000-URL sitemap part takes 200,000."""
OUTPUT_LIMIT = 64 * 1024 * 1024
"""Characters one render may write: a 50,000-URL sitemap part is 5 MB, a feed of every post
(Hugo's default) at 50,000 posts about 40 MB."""
VALUE_LIMIT = 8 * 1024 * 1024
"""Characters (or items) of one value a template makes."""
INT_ARGUMENT_LIMIT = 1_000_000
"""The largest integer a template may pass to a call or a filter (a width, a count)."""
_CHARACTERS_PER_STEP = 64


class TemplateLimitError(Exception):
    """A template ran past a limit of this module (work, output or value size)."""


class _Budget:
    """The steps left to the render in progress."""

    __slots__ = ("left",)

    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise TemplateLimitError(f"the template ran past its work limit ({WORK_LIMIT:,} steps)")


_BUDGET: ContextVar[_Budget | None] = ContextVar("pressroom_template_budget", default=None)


def _spend(steps: int = 1) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend(steps)


_SIZED = (str, bytes, list, tuple, dict, range)


def _size(value: Any) -> int:
    """Characters or items of a value, for the budget (a lazy iterable counts as none)."""
    return len(value) if isinstance(value, _SIZED) else 0


def _spend_on(*values: Any) -> None:
    _spend(1 + sum(_size(value) for value in values) // _CHARACTERS_PER_STEP)


def _checked_value(value: Any) -> Any:
    if _size(value) > VALUE_LIMIT:
        raise TemplateLimitError(f"the template made a value over {VALUE_LIMIT:,} characters or items")
    return value


def _check_arguments(args: Iterable[Any], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_ARGUMENT_LIMIT:
            raise TemplateLimitError(f"an argument of {value:,} is over the limit of {INT_ARGUMENT_LIMIT:,}")


_AMPLIFIERS = frozenset({"replace", "join", "indent", "wordwrap", "center", "ljust", "rjust", "expandtabs"})
"""Filters and str methods whose result can be far larger than their arguments."""


def _check_amplifier(name: str, subject: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse, before it runs, a filter or method that would make a value past VALUE_LIMIT."""
    if name not in _AMPLIFIERS:
        return
    pieces = [value for value in (*args, *kwargs.values()) if isinstance(value, str)]
    longest = max((len(piece) for piece in pieces), default=1)
    if name == "replace" and isinstance(subject, str) and args and isinstance(args[0], str):
        count = subject.count(args[0]) if args[0] else len(subject) + 1
        estimate = len(subject) + count * longest
    elif name == "join" and isinstance(subject, str):  # str.join: the separator between items
        items: Sequence[Any] = args[0] if args and isinstance(args[0], list | tuple) else ()
        estimate = len(items) * (len(subject) + 1) + sum(_size(item) for item in items)
    else:  # one piece per line or per item at most
        estimate = (_size(subject) + 1) * (longest + 1)
    if estimate > VALUE_LIMIT:
        raise TemplateLimitError(f"{name}() would make a value over {VALUE_LIMIT:,} characters")


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that spends from the budget and cannot make an oversized value."""
    takes_first = getattr(function, "jinja_pass_arg", None) is not None
    amplifies = name in _AMPLIFIERS

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = args[1:] if takes_first else args
        if len(values) > 1 or kwargs:
            _check_arguments(values[1:], kwargs)
            if amplifies:
                _check_amplifier(name, values[0], values[1:], kwargs)
        _spend_on(*values)
        result = function(*args, **kwargs)
        _spend_on(result)
        return _checked_value(result)

    return bounded


def _light_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """One of pressroom's own filters, which cannot amplify (its result is about its input's
    size): a step per call."""

    @wraps(function)
    def counted(*args: Any, **kwargs: Any) -> Any:
        _spend(1)
        return function(*args, **kwargs)

    return counted


def _format_widths_ok(template: str) -> bool:
    """Whether a `%` format string asks for no width or precision past INT_ARGUMENT_LIMIT."""
    return all(int(digits) <= INT_ARGUMENT_LIMIT for digits in re.findall(r"%[-#0 +]*(\d+)", template))


class _Limits(Extension):
    """Callables the compiled templates reach through the environment, out of a template's reach."""

    identifier = "pressroom.limits"

    @staticmethod
    def loop(iterable: Any) -> Iterator[Any]:
        """Every `{% for %}` iterates through this: a step per item."""
        budget = _BUDGET.get()
        for item in iterable:
            if budget is not None:
                budget.spend(1)
            yield item

    @staticmethod
    @jinja2.pass_eval_context
    def concat(eval_context: Any, *pieces: Any) -> str:
        """The `~` operator (and `{{ a ~ b }}`), refused before it makes an oversized string."""
        texts = [piece if isinstance(piece, str) else str(piece) for piece in pieces]
        _spend_on(*texts)
        if sum(len(text) for text in texts) > VALUE_LIMIT:
            raise TemplateLimitError(f"the template made a value over {VALUE_LIMIT:,} characters")
        return str(markup_join(pieces) if eval_context.autoescape else str_join(pieces))


class SiteTemplates(ImmutableSandboxedEnvironment):
    """The environment of every template pressroom renders (see the module's docstring)."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def __init__(self, **options: Any) -> None:
        super().__init__(extensions=[_Limits], **options)
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}

    def add_filters(self, **filters: Callable[..., Any]) -> None:
        """Filters of pressroom's own: none makes a value much larger than what it is given."""
        self.filters.update({name: _light_filter(function) for name, function in filters.items()})

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        limits = _Limits.identifier
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(
                nodes.ExtensionAttribute(limits, "loop"), [loop.iter], [], None, None, lineno=loop.lineno
            )
        for concat in list(tree.find_all(nodes.Concat)):
            call = nodes.Call(nodes.ExtensionAttribute(limits, "concat"), concat.nodes, [], None, None)
            _replace(tree, concat, call.set_lineno(concat.lineno))
        return tree

    def getattr(self, obj: Any, attribute: str) -> Any:
        """As the sandbox's, with a fast way for plain data (most of what a page reads): no such
        value is a way out, whatever object holds it."""
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return super().getattr(obj, attribute)
        if type(value) in _PLAIN_DATA and attribute[:1] != "_":
            return value
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(value, type | types.ModuleType) or _bound_to_class(value):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        """An unsafe access fails at once (Jinja2's own answer is an undefined value that a
        ChainableUndefined would let pass silently): it is a content error to report."""
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, type) and obj not in _CALLABLE_CLASSES:
            return False
        return not _bound_to_class(obj) and super().is_safe_callable(obj)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if __obj is _Limits.loop or __obj is _Limits.concat:
            return __context.call(__obj, *args, **kwargs)
        if args or kwargs:
            _check_arguments(args, kwargs)
            name = getattr(__obj, "__name__", "")
            if name in _AMPLIFIERS:
                _check_amplifier(name, getattr(__obj, "__self__", None), args, kwargs)
        _spend_on(*args)
        return _checked_value(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _spend_on(left, right)
        if operator == "*" and (_size(left) or _size(right)):
            count = right if _size(left) else left
            if isinstance(count, int) and max(_size(left), _size(right)) * count > VALUE_LIMIT:
                raise TemplateLimitError(f"the template made a value over {VALUE_LIMIT:,} characters or items")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right * max(abs(left), 2).bit_length() > 4096:
                raise TemplateLimitError("a power over 4,096 bits")
        elif operator == "%" and isinstance(left, str) and not _format_widths_ok(left):
            raise TemplateLimitError(f"a format width over {INT_ARGUMENT_LIMIT:,}")
        elif operator == "+" and _size(left) + _size(right) > VALUE_LIMIT:
            raise TemplateLimitError(f"the template made a value over {VALUE_LIMIT:,} characters or items")
        return super().call_binop(context, operator, left, right)


class ThemeTemplates(jinja2.Environment):
    """The environment of a site that brings no template: only the trusted theme runs, on the
    site's data (never evaluated as code), so no call or attribute needs a check. The same
    templates, filters and globals as `SiteTemplates`, the same bytes, 15% less of a build's CPU
    (a 1,000-post build: 2.16 s against 2.51 s). Output stays bounded by `render_bounded`."""

    def add_filters(self, **filters: Callable[..., Any]) -> None:
        self.filters.update(filters)


_PLAIN_DATA = frozenset({str, Markup, int, float, bool, type(None), tuple, list, dict, datetime, date})
"""Types of values a template may read from any attribute (never a callable, class or frame)."""
_CALLABLE_CLASSES = (dict, Namespace, Cycler, Joiner)
"""Jinja2's own globals that are classes (`dict`, `namespace`, `cycler`, `joiner`)."""


def _bound_to_class(value: Any) -> bool:
    """A classmethod reached through an instance or a class (`date.now`, `ZoneInfo.no_cache`)."""
    return callable(value) and isinstance(getattr(value, "__self__", None), type)


def _replace(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    """Put `new` where `old` is in the tree (Jinja2's nodes have no parent links)."""
    for parent in tree.find_all(nodes.Node):
        for field in parent.fields:
            value = getattr(parent, field, None)
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list) and any(item is old for item in value):
                setattr(parent, field, [new if item is old else item for item in value])
                return


def render_bounded(template: jinja2.Template, context: Mapping[str, Any]) -> str:
    """`template` rendered with `context` within the limits; a nested render shares the outer's budget."""
    token = _BUDGET.set(_Budget(WORK_LIMIT)) if _BUDGET.get() is None else None
    try:
        pieces: list[str] = []
        written = 0
        generated = template.generate(context)
        # Counted a few pieces at a time (each is at most VALUE_LIMIT): cheaper than one by one.
        while batch := list(islice(generated, 16)):
            written += sum(map(len, batch))
            if written > OUTPUT_LIMIT:
                raise TemplateLimitError(f"the template wrote over {OUTPUT_LIMIT:,} characters")
            pieces += batch
        return "".join(pieces)
    finally:
        if token is not None:
            _BUDGET.reset(token)


@dataclass(frozen=True)
class TemplateProblem:
    """What went wrong in a template, and where: `file` and `line` of the innermost template frame."""

    file: str
    line: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        return f"{where}: {self.problem}" if where else self.problem


def template_problem(error: BaseException, file: str = "") -> TemplateProblem | None:
    """What went wrong in a template; None when `error` is not the template's.

    Unsafe accesses (the sandbox's SecurityError), the limits above, runaway recursion and a
    template's own errors (`TemplateError`, a TypeError of a bad call) are; `file` is named when
    no template frame is found. Anything else is a bug of pressroom's and is left to propagate.
    """
    if isinstance(error, SecurityError):
        problem = f"unsafe template: {error}"
    elif isinstance(error, TemplateLimitError):
        problem = str(error)
    elif isinstance(error, RecursionError):
        problem = "the template recursed too deeply"
    elif isinstance(error, jinja2.TemplateError | TypeError | ValueError | ArithmeticError | LookupError):
        problem = f"template error: {error}"
    else:
        return None
    found_file, line = _template_location(error)
    return TemplateProblem(found_file or file, line, problem)


def _template_location(error: BaseException) -> tuple[str, int | None]:
    """The file and line of the innermost template frame of `error`'s traceback (Jinja2 rewrites
    its frames to the templates' own file names and lines)."""
    found: tuple[str, int | None] = ("", None)
    trace = error.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.startswith(TEMPLATE_FILE_PREFIXES):
            found = (name, trace.tb_lineno)
        trace = trace.tb_next
    return found


LAYOUT_TEMPLATE_PREFIX = "layouts/"
THEME_TEMPLATE_PREFIX = "theme/"
TEMPLATE_FILE_PREFIXES = (LAYOUT_TEMPLATE_PREFIX, THEME_TEMPLATE_PREFIX)
"""The file names templates are loaded under (`layouts/page.html`, `theme/page.html`), which
Jinja2 gives the frames of a traceback."""


class NamedLoader(jinja2.BaseLoader):
    """Templates by name from `source_of` (None: no such template), each known as `PREFIX + name`
    in tracebacks, so a problem names `layouts/page.html` or `theme/page.html`."""

    def __init__(self, source_of: Callable[[str], str | None], prefix: str) -> None:
        self.source_of = source_of
        self.prefix = prefix

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source = self.source_of(template)
        if source is None:
            raise jinja2.TemplateNotFound(template)
        return source, self.prefix + template, lambda: True
