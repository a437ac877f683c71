"""The Pelican side of `make bench`: the same blog (posts converted to Pelican's `Key: value`
metadata by bench/run.py), Pelican's bundled `simple` theme, Atom feeds for all posts, tags and
categories, pagination by 10. PATH and OUTPUT_PATH come from the command line."""

AUTHOR = "Bench"
SITENAME = "Bench Notes"
SITEURL = "https://bench.example.com"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "simple"
DEFAULT_PAGINATION = 10
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
RELATIVE_URLS = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = False
