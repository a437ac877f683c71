"""An incremental round of the event path: the inbox's changes read, planned, journaled, applied, rendered.

1. read each key's current bytes (an event is a hint, not the truth), parse (`engine.reading`);
2. plan against the index as it is (`core.plan.plan_round`) and compile the plan to item writes;
3. write the journal (what will be rendered) with the index writes and the inbox items taken,
   in one transaction when they fit, else the journal first and then the writes (absolute
   values: applying them again after a crash changes nothing);
4. render the planned outputs from the index as it now is, which nobody else can change, and
   write the ones whose bytes changed, recording their paths as pending *before* writing;
5. clear the journal: with the lease's release when nothing else is left to do (one transaction),
   else before the next round.

A change of the settings (or a rebuild asked for, or nothing built yet) turns the round into a
rebuild (`engine.rebuild`), as does a round of more than REBUILD_AT keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pressroom.core.planning.codec import render_plan_from_data, render_plan_to_data
from pressroom.core.planning.plan import Reading, RoundPlan, plan_round
from pressroom.core.reading.config import is_settings_key
from pressroom.core.rendering.search import SearchPatch
from pressroom.core.rendering.sitemap import SitemapCounts, SitemapPatch
from pressroom.core.site.model import PageBody
from pressroom.core.site.outputs import fixed_list_urls
from pressroom.engine.ahead import swept_stems
from pressroom.engine.control import ErrorRecord, Journal, inbox_item, iso
from pressroom.engine.generation import GenerationReader, Ops
from pressroom.engine.invocation import RunResult
from pressroom.engine.plan_writes import compile_plan, sitemap_urls_after
from pressroom.engine.publishing_run import PublishingRun
from pressroom.engine.reading import read_sources
from pressroom.engine.rebuild import start_rebuild
from pressroom.engine.table_layout import INBOX, error_key, record_items, schedule_parts
from pressroom.exceptions import ConfigError, ContentError
from pressroom.ports import Item

REBUILD_AT = 200
"""A round of more changed keys than this is done as a rebuild (it costs about as much anyway)."""
REBUILD_KEY = "\x01rebuild"
REPAIR_KEY = "\x01repair"
"""Inbox keys that ask for a rebuild (`pressroom rebuild` repairs: every output is written)."""


def run_round(run: PublishingRun, inbox: list[tuple[str, str]], due: list[tuple[str, str]], result: RunResult) -> None:
    """One round of the inbox's changes and the schedule's due pages (see the module's docstring)."""
    lease = run.control.lease
    assert lease is not None
    taken = _settings_events(run, inbox, due, result)
    if taken is None:
        return
    inbox, keys, done = taken
    if len(keys) > REBUILD_AT:
        start_rebuild(run, inbox, run.settings(lease.generation)[0], repair=False)
        return
    reader = run.reader(lease.generation)
    readings, bodies = _read(run, reader, keys, due)
    plan = plan_round(readings, reader, run.now)
    ops = compile_plan(plan, reader)
    error_puts, error_deletes = run.control.error_writes(readings, plan.problems, run.now)
    result.errors.extend(plan.errors)
    result.errors.extend(
        ContentError(key, problem)
        for key, problems in plan.problems.items()
        for problem in problems.values()
        if problem
    )
    result.published.extend(reading.key for reading in readings if reading.error is None and not reading.recheck)
    journal = _round_journal(plan, due, swept_stems(keys))
    if plan.render.sitemap:
        # The sitemap's URL counts before and after the round: which part files it has.
        fixed = fixed_list_urls(reader.config)
        before, after = reader.sitemap_urls(), sitemap_urls_after(plan, reader)
        journal.data["sitemap"] |= {
            "lists": sorted(plan.sitemap_lists),
            "lists_dropped": sorted(plan.sitemap_lists_dropped),
            "before": [before[0] + fixed, before[1]],
            "after": [after[0] + fixed, after[1]],
        }
    puts = [*ops.puts.values(), *error_puts]
    if plan.renamed:
        # In the round's own transaction: the rebuild that renames the term on every other
        # page is asked for exactly when the rename is applied.
        puts.append(inbox_item("renamed", REBUILD_KEY, run.ports.clock()))
    taken_keys = [*done, *((INBOX, sk) for sk, _ in inbox), *((reader.keys.schedule, sk) for sk, _ in due)]
    deletes = sorted({*ops.deletes, *error_deletes, *taken_keys} - {(item["pk"], item["sk"]) for item in puts})
    if _journal_and_apply(run, journal, ops, puts, deletes, plan.render.empty and not journal.data["sweep"]):
        render_round(run, journal, result, bodies, reader.after(ops))


def _settings_events(
    run: PublishingRun, inbox: list[tuple[str, str]], due: list[tuple[str, str]], result: RunResult
) -> tuple[list[tuple[str, str]], list[str], list[tuple[str, str]]] | None:
    """The inbox without the events a settings check takes (a settings file, a rebuild asked for,
    a site built by other code): (inbox, its keys, the inbox items taken). None: nothing is left
    for the round (a rebuild took the inbox, or the taken items are deleted)."""
    lease = run.control.lease
    assert lease is not None
    keys = sorted({key for _, key in inbox})
    special = {REBUILD_KEY, REPAIR_KEY} & set(keys)
    settings_keys = [key for key in keys if is_settings_key(key)]
    done: list[tuple[str, str]] = []
    outdated = run.built_by_other_code()
    if special or settings_keys or not lease.generation or outdated:
        run.outdated_handled = True  # once an invocation: broken settings must not loop
        if _settings_changed(run, inbox, settings_keys, special | ({REBUILD_KEY} if outdated else set()), result):
            return None
        # The settings are as the site was built (or broken): those events are done with.
        taken = set(settings_keys) | special
        done = [(INBOX, sk) for sk, key in inbox if key in taken]
        inbox = [(sk, key) for sk, key in inbox if key not in taken]
        keys = [key for key in keys if key not in taken]
        if not lease.generation:
            done += [(INBOX, sk) for sk, _ in inbox]  # nothing is built until the settings are fixed
            inbox, keys = [], []
        if not keys and not due:
            run.control.transact_many([], done)
            return None
    return inbox, keys, done


def _read(
    run: PublishingRun, reader: GenerationReader, keys: list[str], due: list[tuple[str, str]]
) -> tuple[list[Reading], dict[str, PageBody]]:
    """The keys' readings, their records and error records read beside them (or known already)."""
    control = run.control
    records_read = run.take_records_read()

    def records_and_errors() -> None:
        # The keys' error records (the round rewrites them) come with their records.
        errors = control.error_keys(keys)
        wanted = record_items(reader.generation, keys) + errors
        if records_read is not None and all(item in records_read for item in wanted):
            found = {item: value for item in wanted if (value := records_read[item]) is not None}
            reader.learn_records(keys, found)
            control.read_errors(keys, found)
            return
        control.read_errors(keys, reader.records_with(keys, errors))

    due_keys = {key for _, key in due}
    return read_sources(run.ports.source, keys, reader, reader.config, due_keys, records_and_errors)


def _round_journal(plan: RoundPlan, due: list[tuple[str, str]], sweep: list[str]) -> Journal:
    """What the round renders, as its journal says it; `sweep`: the image stems whose variants
    made ahead it looks at (`engine.ahead`)."""
    return Journal(
        {
            "sweep": sweep,
            "kind": "round",
            "phase": "render",
            "render": render_plan_to_data(plan.render),
            "sitemap": {
                "set": {k: (v.isoformat() if v else None) for k, v in plan.sitemap_set.items()},
                "drop": sorted(plan.sitemap_drop),
            },
            "search": {"set": plan.search_set, "drop": sorted(plan.search_drop)},
            "cursor": 0,
            "schedule": bool(plan.schedule_add or plan.schedule_drop or due),
        }
    )


def _journal_and_apply(
    run: PublishingRun, journal: Journal, ops: Ops, puts: list[Item], deletes: list[tuple[str, str]], empty: bool
) -> bool:
    """The round's index writes, with its journal: one transaction when they fit, else the
    journal of them first, then the writes. False when nothing is to render (`empty`, and no
    schedule to look at): then there is no journal."""
    fits = len(puts) + len(deletes) + 2 < 99 and ops.size() < 3_000_000
    if fits and empty and not journal.data["schedule"]:
        run.control.transact(puts, deletes)  # nothing to render: no journal
        run.progressed()
        return False
    if fits:
        run.control.save_journal(journal, puts, deletes)  # journal and writes: one transaction
    else:
        applying = Journal(dict(journal.data, phase="apply", puts=[_item_data(i) for i in puts], deletes=deletes))
        run.control.save_journal(applying)
        apply_journal(run, applying)
    run.progressed()
    return True


def apply_journal(run: PublishingRun, journal: Journal) -> None:
    """Apply a journal's index writes (again, after a crash: they are absolute values)."""
    puts = [_item_from_data(item) for item in journal.data["puts"]]
    deletes = [(pk, sk) for pk, sk in journal.data["deletes"]]
    run.control.transact_many(puts, deletes)
    rendering = {k: v for k, v in journal.data.items() if k not in {"puts", "deletes"}}
    run.control.save_journal(Journal(dict(rendering, phase="render")))


def resume_round(run: PublishingRun, journal: Journal, result: RunResult) -> bool:
    """Finish a round's journal (this invocation's, or one a crash left); False if the time ran out."""
    if journal.phase == "apply":
        apply_journal(run, journal)
        journal = Journal({k: v for k, v in journal.data.items() if k not in {"puts", "deletes"}})
        journal.data["phase"] = "render"
    return render_round(run, journal, result)


def render_round(
    run: PublishingRun,
    journal: Journal,
    result: RunResult,
    bodies: dict[str, PageBody] | None = None,
    view: GenerationReader | None = None,
) -> bool:
    """Render and write a round's outputs; False when time ran out first (the journal says where).

    `view`: the index as the round left it, when this invocation applied the round (it knows
    the items it read and wrote); else it is read anew.
    """
    control = run.control
    lease = control.lease
    assert lease is not None
    _, renderer = run.settings(lease.generation)
    fresh = view is not None  # planned and applied by this invocation: nothing of it is written yet
    view = view if view is not None else run.reader(lease.generation)
    plan = render_plan_from_data(journal.data["render"])
    view.add_anchors(plan.anchors)
    sitemap = journal.data["sitemap"]
    search = journal.data.get("search") or {"set": {}, "drop": []}
    patch = SitemapPatch(
        {k: (datetime.fromisoformat(v) if v else None) for k, v in sitemap["set"].items()},
        set(sitemap["drop"]),
        SearchPatch(search["set"], set(search["drop"]), fresh=fresh),
        lists=frozenset(sitemap.get("lists", ())),
        dropped_lists=frozenset(sitemap.get("lists_dropped", ())),
        counts=SitemapCounts(*sitemap["after"]) if "after" in sitemap else None,
        before=SitemapCounts(*sitemap["before"]) if "before" in sitemap else None,
    )
    jobs, deletes = run.writer.expand(plan, view, renderer, patch)
    if journal.data.get("sweep"):
        # After every write made ahead of this round's changes (their marks came in with them).
        deletes = sorted({*deletes, *run.writer.strays(journal.data["sweep"], [job.key for job in jobs])})
    # The last chunk's output records go with the journal's removal: one transaction.
    finishing: list[Item] = []
    removals: list[tuple[str, str]] = []
    closing = (finishing, removals)
    if not run.writer.write(journal, jobs, deletes, view, renderer, patch, result, bodies or {}, closing=closing):
        return False
    if journal.data.get("schedule"):
        page = run.ports.table.query(view.keys.schedule, limit=1)
        next_due = schedule_parts(page.items[0]["sk"])[0] if page.items else ""
        control.lease = replace(lease, next_due=next_due)
        finishing.append(control.lease.item())
    control.close_journal(finishing, removals)
    return True


def _settings_changed(
    run: PublishingRun, inbox: list[tuple[str, str]], settings_keys: Sequence[str], special: set[str], result: RunResult
) -> bool:
    """The settings changed (or a rebuild was asked for, or nothing is built yet): rebuild if they differ.

    Returns True when a rebuild took the whole inbox. Broken settings are reported, and the
    site goes on with its last good ones.
    """
    lease = run.control.lease
    assert lease is not None
    try:
        settings = run.read_settings()
    except ConfigError as error:
        result.errors.append(error)
        run.control.transact([ErrorRecord(error.problem, {}, iso(run.now)).item(error.source_key)])
        return False  # the site goes on with its last good settings (none yet: nothing is published)
    if settings_keys:
        run.control.transact([], [error_key(key) for key in settings_keys])
    if special or not lease.generation or settings.digest != lease.config_hash:
        start_rebuild(run, inbox, settings, repair=REPAIR_KEY in special)
        return True
    return False


def _item_data(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as JSON-able data (bytes as latin-1 text), for the journal of a large round."""
    return {k: ({"b": v.decode("latin-1")} if isinstance(v, bytes) else v) for k, v in item.items()}


def _item_from_data(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v["b"].encode("latin-1") if isinstance(v, dict) and "b" in v else v) for k, v in data.items()}
