"""The architecture, enforced: layers, no import circle, parts a person can hold, a pure core.

Read from the source of shared/pressroom with `ast`. An import inside a function counts like one
at the top of the module: it keeps a library out of a cold start, or a shell from starting
another too early, but it is a dependency all the same (it hides a circle, it does not remove it).

The layers:

- `core` (values and pure functions) imports nothing from the engine, the adapters or the shells;
  nor do `ports` and `exceptions`, which every layer reads.
- `adapters` import the ports, the exceptions and, from the core, only `ADAPTERS_FROM_CORE`.
- `engine` imports no adapter and no shell: its ports are passed in.
- `shells` compose the rest, each other included. Only shells and the entries import a shell:
  `functions/` (the Lambda function), the console script and `python -m pressroom`.
- Nothing in the package imports `functions/`.

And the limits: no import circle, no class over 250 lines, no function over 80, and no impure
use in the core (an AWS SDK, processes, threads, the environment, the clock, the GC).

KNOWN_OFFENDERS are the circles, sizes and impure uses the code had when these tests were written.
The list only shrinks: a new offender fails, and so does a listed one that no longer offends
(remove it from the list, so that it stays fixed).
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "shared" / "pressroom"
THIS_FILE = "tests/unit/test_architecture.py"

CLASS_MAX, FUNCTION_MAX = 250, 80

ADAPTERS_FROM_CORE = {
    "pressroom.core.rendering.mime": {"Headers"},  # what an object is served with: a value
    "pressroom.core.site.urls": {"refuse_unsafe_key", "unsafe_key_reason"},  # keys no store writes
    "pressroom.core.reading.config": {"is_settings_key"},  # a folder reads what a build reads ...
    "pressroom.core.reading.content": {"source_keys_read"},  # ... and no more (adapters/files.py)
}
"""What an adapter may take from the core, by module and name: value types, and the rules on keys
that a store applies itself (it refuses an unsafe key however it was reached)."""

IMPURE_MODULES = {"boto3", "botocore", "multiprocessing", "concurrent", "gc", "subprocess", "threading"}
IMPURE_NAMES = {
    ("os", "environ"),
    ("os", "getenv"),
    ("os", "cpu_count"),
    ("time", "time"),
    ("time", "monotonic"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
}
"""The clock, the environment and the machine, as `module.name` (or `from module import name`)."""

KNOWN_OFFENDERS: set[str] = set()
"""Offenders of the limits when these tests were written (issue 20). Remove each one you fix;
never add one."""

WHAT_TO_DO = {
    "class": f"split it (at most {CLASS_MAX} lines) by what it holds: one store, one phase or one reader a class",
    "function": f"give its steps functions of their own (at most {FUNCTION_MAX} lines), named after what each does",
    "circle": "these modules import each other (imports inside functions count): move what both need into a "
    "module of its own, or pass it in as an argument",
    "impure": "the core is pure: take it as an argument, which the shells provide (shells/runtime.py reads "
    "the environment; the shells own processes and the clock)",
}


# -- the package, read with ast -----------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One module importing another (or names from it), at a line of the importer."""

    importer: str
    target: str
    names: tuple[str, ...]
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def sources() -> dict[str, tuple[Path, ast.Module]]:
    return {module_name(path): (path, ast.parse(path.read_text(), str(path))) for path in PACKAGE.rglob("*.py")}


def imports_of(module: str, path: Path, tree: ast.AST) -> Iterator[Import]:
    """Every import in `tree`, at any depth; `from package import module` imports the module."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = []
            for alias in node.names:
                if f"{base}.{alias.name}" in sources():
                    yield Import(module, f"{base}.{alias.name}", (), node.lineno)
                else:
                    names.append(alias.name)
            if names or not node.names:
                yield Import(module, base, tuple(names), node.lineno)


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(found for module, (path, tree) in sources().items() for found in imports_of(module, path, tree))


def layer(module: str) -> str:
    """core, engine, adapters or shells; else the top-level module: ports, exceptions, __main__, pressroom."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def pressroom_imports(importer_layers: set[str]) -> Iterator[Import]:
    for found in all_imports():
        if layer(found.importer) in importer_layers and found.target.split(".")[0] == "pressroom":
            yield found


def where(found: Import) -> str:
    path, _ = sources()[found.importer]
    return f"{path.relative_to(REPO)}:{found.line}"


# -- the layers ---------------------------------------------------------------------------------


def test_the_core_ports_and_exceptions_import_no_engine_adapter_or_shell() -> None:
    wrong = [
        f"{where(found)}: {found.importer} imports {found.target}"
        for found in pressroom_imports({"core", "ports", "exceptions"})
        if layer(found.target) in {"engine", "adapters", "shells", "__main__"}
    ]
    assert not wrong, (
        "The core is values and pure functions; it must not reach the engine, an adapter or a shell. Move the "
        "code that needs them to the engine (or a shell), or pass what it needs in as an argument:\n  "
        + "\n  ".join(wrong)
    )


def test_adapters_import_only_ports_exceptions_and_core_values() -> None:
    wrong = []
    for found in pressroom_imports({"adapters"}):
        if layer(found.target) in {"ports", "exceptions"}:
            continue
        allowed = ADAPTERS_FROM_CORE.get(found.target, set())
        if not found.names or not set(found.names) <= allowed:
            names = ", ".join(sorted(set(found.names) - allowed)) or "the whole module"
            wrong.append(f"{where(found)}: {found.importer} takes {names} from {found.target}")
    assert not wrong, (
        "An adapter turns a port's calls into requests; it imports the ports, the exceptions and, from the core, "
        f"only the values and key rules in ADAPTERS_FROM_CORE ({THIS_FILE}). Pass anything else in from the "
        "shell that builds the adapter (as sync passes the content type to SyncTarget.put):\n  " + "\n  ".join(wrong)
    )


def test_the_engine_imports_no_adapter_and_no_shell() -> None:
    wrong = [
        f"{where(found)}: {found.importer} imports {found.target}"
        for found in pressroom_imports({"engine"})
        if layer(found.target) in {"adapters", "shells", "__main__"}
    ]
    assert not wrong, (
        "The engine works on ports (pressroom/ports.py) that a shell builds and passes in "
        "(shells/runtime.py:ports); it names no adapter and no shell:\n  " + "\n  ".join(wrong)
    )


def test_only_shells_and_the_entries_import_a_shell() -> None:
    wrong = [
        f"{where(found)}: {found.importer} imports {found.target}"
        for found in pressroom_imports({"core", "engine", "adapters", "ports", "exceptions", "pressroom"})
        if layer(found.target) == "shells"
    ]
    assert not wrong, (
        "A shell is entered from functions/, the console script or `python -m pressroom`, and composed by other "
        "shells; what a lower layer needs from a shell, the shell passes in:\n  " + "\n  ".join(wrong)
    )


def test_the_entries_enter_through_a_shell() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    entries = {f"pyproject.toml [project.scripts] {name}": target.split(":")[0] for name, target in scripts.items()}
    for path in sorted((REPO / "functions").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for found in imports_of(path.stem, path, tree):
            if found.target.split(".")[0] == "pressroom":
                entries[f"{path.relative_to(REPO)}:{found.line}"] = found.target
    assert entries, "found no entry: the console script and functions/ moved?"
    wrong = [f"{entry} enters at {target}" for entry, target in entries.items() if layer(target) != "shells"]
    assert not wrong, (
        "The Lambda function and the console script stay thin: each imports one shell (shells/handler.py, "
        "shells/cli.py), which wires the adapters to the engine:\n  " + "\n  ".join(wrong)
    )


def test_nothing_in_the_package_imports_functions() -> None:
    entries = {"functions"} | {path.stem for path in (REPO / "functions").rglob("*.py")}
    wrong = [
        f"{where(found)}: imports {found.target}" for found in all_imports() if found.target.split(".")[0] in entries
    ]
    assert not wrong, (
        "functions/ only enters the package; move the code the package needs into a shell:\n  " + "\n  ".join(wrong)
    )


# -- the limits, with the offenders they had ----------------------------------------------------


def too_big() -> dict[str, str]:
    found: dict[str, str] = {}
    for module, (_, tree) in sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                kind, limit = ("class", CLASS_MAX) if isinstance(node, ast.ClassDef) else ("function", FUNCTION_MAX)
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > limit:
                    found[f"{kind} {module}.{node.name}"] = f"{lines} lines"
    return found


def circles() -> dict[str, str]:
    """The strongly connected components of the import graph (Tarjan), less a package's `__init__`
    importing its own top-level modules, which is no circle of design."""
    graph: dict[str, set[str]] = {module: set() for module in sources()}
    for found in all_imports():
        if found.target in graph and found.target != found.importer:
            graph[found.importer].add(found.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while (member := stack.pop()) != module:
                component.append(member)
            components.append([module, *component])

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return {
        "circle " + " <-> ".join(sorted(component)): "imported by each other"
        for component in components
        if len(component) > 1 and not all(member.count(".") <= 1 for member in component)
    }


def impure_core() -> dict[str, str]:
    found: dict[str, str] = {}
    for module, (path, tree) in sources().items():
        if layer(module) != "core":
            continue
        for imported in imports_of(module, path, tree):
            root = imported.target.split(".")[0]
            if root in IMPURE_MODULES:
                found[f"impure {module} imports {imported.target}"] = f"line {imported.line}"
            for name in imported.names:
                if (imported.target, name) in IMPURE_NAMES:
                    found[f"impure {module} uses {imported.target}.{name}"] = f"line {imported.line}"
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in IMPURE_NAMES
            ):
                found[f"impure {module} uses {node.value.id}.{node.attr}"] = f"line {node.lineno}"
    return found


LIMITS = {"class": too_big, "function": too_big, "circle": circles, "impure": impure_core}


@pytest.mark.parametrize("kind", list(LIMITS))
def test_no_new_offender_and_every_listed_one_still_offends(kind: str) -> None:
    offenders = {key: detail for key, detail in LIMITS[kind]().items() if key.startswith(kind + " ")}
    known = {key for key in KNOWN_OFFENDERS if key.startswith(kind + " ")}
    new = [f"{key} ({offenders[key]})" for key in sorted(set(offenders) - known)]
    fixed = sorted(known - set(offenders))
    problems = []
    if new:
        problems.append(f"New: {WHAT_TO_DO[kind]}. KNOWN_OFFENDERS only shrinks.\n  " + "\n  ".join(new))
    if fixed:
        problems.append(
            f"No longer offending, well done: remove from KNOWN_OFFENDERS in {THIS_FILE}, so that it stays "
            "fixed (a module renamed? list its new name if it still offends).\n  " + "\n  ".join(fixed)
        )
    assert not problems, "\n".join(problems)
