"""Congo's and Blowfish's params: which of them pressroom's theme honours, and which it does not.

A blog moved from one of those themes keeps its `params`; `check` names, once per site, each
param of the themes' known set that the site sets and the theme does not do (README: "Theme
params"). Names are dotted paths below `params`, compared whatever their case (Hugo lower-cases
param keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

HONOURED = frozenset(
    {
        "author",
        "autoSwitchAppearance",
        "defaultAppearance",
        "description",
        "mainSections",
        "footer.showCopyright",
        "footer.showThemeAttribution",
        "homepage.layout",
        "homepage.homepageImage",
        "defaultBackgroundImage",
        "homepage.showRecent",
        "homepage.recentLimit",
        "homepage.showRecentItems",
        "homepage.showMoreLink",
        "homepage.showMoreLinkDest",
        "homepage.cardView",
        "article.showDate",
        "article.showDateUpdated",
        "article.showAuthor",
        "article.showBreadcrumbs",
        "article.showHeadingAnchors",
        "article.showReadingTime",
        "article.showTableOfContents",
        "article.showTaxonomies",
        "article.showWordCount",
        "article.sharingLinks",
        "list.showBreadcrumbs",
        "list.showSummary",
        "taxonomy.showTermCount",
    }
)
"""Params of the themes that pressroom's theme does (see the README's table for what each does)."""

NOT_HONOURED = frozenset(
    {
        "colorScheme",
        "defaultThemeColor",
        "defaultFeaturedImage",
        "enableSearch",
        "enableCodeCopy",
        "enableImageLazyLoading",
        "enableImageWebp",
        "fingerprintAlgorithm",
        "robots",
        "header.layout",
        "header.logo",
        "header.logoDark",
        "header.showTitle",
        "footer.showAppearanceSwitcher",
        "footer.showScrollToTop",
        "article.showDraftLabel",
        "article.showEdit",
        "article.editURL",
        "article.editAppendPath",
        "article.showPagination",
        "article.invertPagination",
        "article.showComments",
        "article.showHero",
        "article.heroStyle",
        "article.showLikes",
        "article.showViews",
        "article.showRelatedContent",
        "article.showZenMode",
        "list.showTableOfContents",
        "list.showTaxonomies",
        "list.groupByYear",
        "list.paginationWidth",
        "list.showHero",
        "list.cardView",
        "sitemap.excludedKinds",
        "fathomAnalytics",
        "plausibleAnalytics",
        "umamiAnalytics",
        "verification",
    }
)
"""The rest of the two themes' documented params: set by a site, each is reported once."""


def _is_set(params: Mapping[str, Any], path: str) -> bool:
    node: Any = params
    for name in path.split("."):
        if not isinstance(node, Mapping):
            return False
        lowered = {str(key).lower(): value for key, value in node.items()}
        if name.lower() not in lowered:
            return False
        node = lowered[name.lower()]
    return True


def unhonoured_params(params: Mapping[str, Any]) -> list[str]:
    """The params of the themes' known set that `params` sets and pressroom's theme does not do,
    as dotted paths in the themes' spelling, in order."""
    return sorted(path for path in NOT_HONOURED if _is_set(params, path))
