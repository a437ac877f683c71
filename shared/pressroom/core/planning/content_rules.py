"""The round's second phase: Hugo's content rules decide which of the round's pages exist.

A page's own front matter is not enough: an `_index.md` above it may cascade `draft`, dates,
`build` or `headless` to it, and a bundle's `index.md` above it makes it a resource instead of a
page (`core.site.build_options`). So when the round adds, removes or changes an `_index.md`'s
cascade, or a bundle's `index.md`, the pages below it are re-decided too: a wide cascade is a
fan-out like a settings change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import IntroRecord, PageRecord, Record
from pressroom.core.site.build_options import Decision, context_keys, decide
from pressroom.core.site.model import Intro
from pressroom.core.site.resolve import is_bundle_page


def apply_content_rules(ledger: Ledger) -> None:
    """Decide again whether each page the round read, or that a changed rule above reaches, exists."""
    _reach_pages_below_changed_rules(ledger)
    pages = sorted(key for key in ledger.reread if ledger.new_page(key) is not None)
    config = ledger.config
    ledger.load(k for key in pages for k in context_keys(key, config.contentDir, config.contentLanguage))
    for key in pages:
        record = ledger.new_page(key)
        assert record is not None
        entry = record.entry
        dates = (entry.draft, entry.publish_date or entry.date, entry.expiry_date)
        decision = decide_at(ledger, key, "page", entry.params, dates)
        options, live = decision.options, decision.shown
        entry = replace(entry, render=options.render, listing=options.list, publish_resources=options.publish_resources)
        # A page with no file of its own claims no key (`pages.plan_page_claims`): it is
        # published (on its lists, its bundle's files under its URL) while it exists.
        published = (record.published and live) if entry.has_page else live
        aliases = record.aliases if published else ()
        ledger.new[key] = replace(
            record, entry=entry, live=live, published=published, aliases=aliases, due=decision.changes_at
        )


def _reach_pages_below_changed_rules(ledger: Ledger) -> None:
    """Add to the round the pages below an `_index.md` whose cascade, or a bundle `index.md`
    whose existence, the round changes."""
    folders = set()
    for key in ledger.reread:
        old, new = ledger.old.get(key), ledger.new.get(key)
        rules_may_change = isinstance(old, IntroRecord) or isinstance(new, IntroRecord)
        if (rules_may_change or is_bundle_page(ledger.config.site_key(key))) and _rules_of(old) != _rules_of(new):
            folders.add(key.rsplit("/", 1)[0] if "/" in key else "")
    for folder in sorted(folders):
        if any(not outer or folder.startswith(outer + "/") for outer in folders if outer != folder):
            continue  # its pages are below an outer folder's too
        for key, found in ledger.state.pages_under(folder).items():
            if key not in ledger.old:
                ledger.old[key] = ledger.new[key] = found
            ledger.reread.add(key)


def _rules_of(record: Record | None) -> object:
    """What of a record decides whether the pages below it exist: a page's existence (a bundle's
    `index.md` makes the files below it resources), an intro's cascade (an `_index.md` that
    comes or goes without one changes no page below it: a draft `_index.md` hides its list, not
    the pages below, as the `hugo` binary builds it)."""
    if isinstance(record, PageRecord):
        return True
    params = record.intro.params if isinstance(record, IntroRecord) else {}
    return {k: v for k, v in params.items() if k.lower() == "cascade"}


def decide_at(
    ledger: Ledger,
    key: str,
    kind: str,
    own: Mapping[str, object],
    dates: tuple[bool | None, datetime | None, datetime | None],
) -> Decision:
    """Whether a page or an intro exists now, with the round's intros and pages around it, when
    the clock alone changes that, and its build options (`build_options.decide`)."""
    config = ledger.config
    around = context_keys(key, config.contentDir, config.contentLanguage)
    intros = {k: r.intro.params for k in around if isinstance(r := ledger.new.get(k), IntroRecord)}
    pages = [k for k in around if isinstance(ledger.new.get(k), PageRecord)]
    return decide(key, kind, own, dates, config, ledger.now, intros, pages)


def shown_intro(ledger: Ledger, source: str, intro: Intro) -> bool:
    """Whether a list's intro makes a page: a draft, future, expired or headless list has none,
    nor a section whose `_index.md` says `build: {render: never}` (the `hugo` binary writes no
    page, feed or sitemap URL for it; the pages below are published)."""
    kind = "home" if not intro.list_id else "term" if "/" in intro.list_id else "section"
    decision = decide_at(ledger, source, kind, {**intro.params, **intro.dates}, (None, None, None))
    return decision.shown and not (kind == "section" and decision.options.render == "never")
