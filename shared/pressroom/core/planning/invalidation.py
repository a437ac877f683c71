"""Which CloudFront paths to invalidate for a set of written and deleted output keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pressroom.core.site.urls import key_to_paths

MAX_PATHS = 15
"""Above this many paths, fold paths that share a folder into `/FOLDER/*` (billed as one path)."""


def invalidation_paths(keys: Iterable[str], max_paths: int = MAX_PATHS, existing: Iterable[str] = ()) -> list[str]:
    """Both `/PATH/` and `/PATH/index.html` for each key, folded under wildcards when many.

    `existing` paths (pending from before, wildcards among them) are kept covered. Folding picks
    the folder that covers the most paths, deepest first on ties, until the list is short
    enough; everything is still covered, since a wildcard covers all below its folder.

    >>> invalidation_paths(["posts/a/index.html"])
    ['/posts/a/', '/posts/a/index.html']
    """
    paths = sorted({path for key in keys for path in key_to_paths(key)} | set(existing))
    wildcards = [p[:-1] for p in paths if p.endswith("*")]
    paths = [p for p in paths if not any(p != w + "*" and p.startswith(w) for w in wildcards)]
    while len(paths) > max_paths:
        covered: dict[str, list[str]] = defaultdict(list)
        for path in paths:
            if path.endswith("*"):
                continue
            parts = path.strip("/").split("/")
            for depth in range(1, len(parts)):
                covered["/" + "/".join(parts[:depth]) + "/*"].append(path)
        candidates = [
            (len(members), prefix.count("/"), prefix) for prefix, members in covered.items() if len(members) > 1
        ]
        if not candidates:
            return ["/*"]
        _, _, best = max(candidates)
        folder = best[:-1]
        paths = sorted({p for p in paths if not p.startswith(folder) or p == best} | {best})
        # A wildcard inside another wildcard is redundant.
        wildcards = [p[:-1] for p in paths if p.endswith("*")]
        paths = [p for p in paths if not any(p != w + "*" and p.startswith(w) for w in wildcards)]
    return paths
