"""Feed profiles: what is specific to one feed of the archive, read from data, not code.

The profiles live in ``feeds.toml`` beside this module (``NEWSROOM_FEED_PROFILES`` names
another file to use instead). An operator reads and extends it without writing Python:
each ``[feeds."<top>/<feed>"]`` table is keyed by the category path the feed's documents
carry (parent first, joined with ``/``); the longest matching prefix applies, on top of
``[defaults]``. A profile holds the feed's time zone (with the decision and its evidence),
CSS selectors for its furniture, its placeholder and default pictures and its tracking
hosts. The generic rules that hold for every feed are code (``furniture.py``).

Profiles are read once per process (``load_profiles`` is cached); their digest is part
of every document's content hash, so editing the file makes the next import re-read
every document, and the articles whose fields change are updated.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from lxml.cssselect import CSSSelector, SelectorError

BUNDLED_PROFILES = Path(__file__).with_name("feeds.toml")

# Furniture kinds a profile can point selectors at, and what the importer does with each.
REMOVED_KINDS = frozenset(
    {"end_marker", "correction_link", "page_nav", "tip_box", "share_bar", "promotion", "remove"}
)
FIELD_KINDS = frozenset({"rights_notice", "credit_lines", "topic_tags", "answer_header", "unwrap_links"})
FURNITURE_KINDS = REMOVED_KINDS | FIELD_KINDS
LIST_KEYS = ("tracking_hosts", "placeholder_image_hosts", "default_images", "promotion_phrases")
TEXT_KEYS = ("name", "time_zone", "time_zone_evidence", "notes")


class ProfileError(Exception):
    """The profiles file is wrong; the message names the file, the table and the key."""


@dataclass(frozen=True)
class FeedProfile:
    """Everything the importer knows about one feed (or, with ``key == ''``, about every feed)."""

    key: str = ""
    name: str = ""
    # None: a date keeps the zone its label says (GMT is GMT).
    time_zone: ZoneInfo | None = None
    time_zone_evidence: str = ""
    furniture: dict[str, tuple[CSSSelector, ...]] = field(default_factory=dict)
    tracking_hosts: tuple[str, ...] = ()
    placeholder_image_hosts: tuple[str, ...] = ()
    default_images: tuple[str, ...] = ()
    promotion_phrases: tuple[re.Pattern[str], ...] = ()
    # (pattern, replacement) pairs that turn a resized copy's address into the picture's own.
    image_variants: tuple[tuple[re.Pattern[str], str], ...] = ()

    def is_tracking_host(self, host: str) -> bool:
        """Return whether links to ``host`` are tracking redirects (``.example.com`` covers subdomains)."""
        return _host_listed(host, self.tracking_hosts)

    def is_placeholder_host(self, host: str) -> bool:
        return _host_listed(host, self.placeholder_image_hosts)

    def is_default_image(self, url: str) -> bool:
        """Return whether ``url`` is a picture the site puts on many articles (a banner, a QR code)."""
        return any(fnmatchcase(url, pattern) for pattern in self.default_images)


@dataclass(frozen=True)
class Profiles:
    defaults: FeedProfile
    feeds: dict[str, FeedProfile]
    digest: str
    source: str

    def for_path(self, category_path: tuple[str, ...]) -> FeedProfile:
        """Return the profile of the feed at ``category_path``: the longest matching key, else the defaults."""
        for length in range(len(category_path), 0, -1):
            profile = self.feeds.get("/".join(category_path[:length]))
            if profile is not None:
                return profile
        return self.defaults


def _host_listed(host: str, listed: tuple[str, ...]) -> bool:
    host = host.lower()
    for entry in listed:
        if entry.startswith("."):
            if host.endswith(entry) or host == entry[1:]:
                return True
        elif host == entry:
            return True
    return False


def profiles_path() -> Path:
    """Return the profiles file in use: NEWSROOM_FEED_PROFILES, else the bundled feeds.toml."""
    configured = getattr(settings, "NEWSROOM_FEED_PROFILES", "") or ""
    return Path(configured) if configured else BUNDLED_PROFILES


def load_profiles(path: Path | None = None) -> Profiles:
    """Return the profiles in ``path`` (default: ``profiles_path()``), read and checked once per process."""
    return _load(str(path or profiles_path()))


def profiles_digest(path: Path | None = None) -> str:
    """Return the digest of the profiles file in use (as ``load_profiles().digest``), without reading
    the profiles: an import that finds every document unchanged never needs them."""
    return _digest(str(path or profiles_path()))


@functools.lru_cache(maxsize=4)
def _digest(path: str) -> str:
    try:
        return _file_digest(Path(path).read_bytes())
    except OSError as error:
        raise ProfileError(f"{path}: cannot read the feed profiles: {error.strerror or error}") from error


def _file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Profiles:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ProfileError(f"{path}: cannot read the feed profiles: {error.strerror or error}") from error
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"{path}: not valid TOML: {error}") from error
    defaults = _profile(path, "defaults", "", document.get("defaults", {}), None)
    feeds = {
        key.strip("/"): _profile(path, f'feeds."{key}"', key.strip("/"), table, defaults)
        for key, table in document.get("feeds", {}).items()
    }
    unknown = set(document) - {"defaults", "feeds", "schema"}
    if unknown:
        raise ProfileError(f"{path}: unknown top-level table(s) {', '.join(sorted(unknown))}")
    return Profiles(defaults, feeds, _file_digest(data), path)


def _profile(path: str, where: str, key: str, table: Any, base: FeedProfile | None) -> FeedProfile:
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: [{where}] must be a table")
    known = set(LIST_KEYS) | set(TEXT_KEYS) | {"furniture", "image_variants"}
    unknown = set(table) - known
    if unknown:
        raise ProfileError(f"{path}: [{where}] has unknown key(s) {', '.join(sorted(unknown))}")

    def strings(name: str) -> tuple[str, ...]:
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ProfileError(f"{path}: [{where}] {name} must be a list of strings")
        return tuple(value)

    def text(name: str) -> str:
        value = table.get(name, "")
        if not isinstance(value, str):
            raise ProfileError(f"{path}: [{where}] {name} must be a string")
        return value.strip()

    zone = None
    if text("time_zone"):
        try:
            zone = ZoneInfo(text("time_zone"))
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ProfileError(
                f"{path}: [{where}] time_zone {text('time_zone')!r} is not a time zone"
            ) from error
    furniture_table = table.get("furniture", {})
    if not isinstance(furniture_table, dict):
        raise ProfileError(f"{path}: [{where}] furniture must be a table of kind = [selectors]")
    furniture: dict[str, tuple[CSSSelector, ...]] = dict(base.furniture) if base else {}
    for kind, selectors in furniture_table.items():
        if kind not in FURNITURE_KINDS:
            raise ProfileError(
                f"{path}: [{where}.furniture] unknown kind {kind!r}; known: {', '.join(sorted(FURNITURE_KINDS))}"
            )
        if not isinstance(selectors, list) or not all(isinstance(item, str) for item in selectors):
            raise ProfileError(f"{path}: [{where}.furniture] {kind} must be a list of CSS selectors")
        compiled = []
        for selector in selectors:
            try:
                compiled.append(CSSSelector(selector, translator="html"))
            except SelectorError as error:
                raise ProfileError(
                    f"{path}: [{where}.furniture] {kind}: bad selector {selector!r}: {error}"
                ) from error
        furniture[kind] = furniture.get(kind, ()) + tuple(compiled)
    variants = []
    for item in table.get("image_variants", []):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)):
            raise ProfileError(f"{path}: [{where}] image_variants items must be [pattern, replacement]")
        try:
            variants.append((re.compile(item[0]), item[1]))
        except re.error as error:
            raise ProfileError(
                f"{path}: [{where}] image_variants: bad pattern {item[0]!r}: {error}"
            ) from error
    phrases = []
    for phrase in strings("promotion_phrases"):
        try:
            phrases.append(re.compile(phrase))
        except re.error as error:
            raise ProfileError(
                f"{path}: [{where}] promotion_phrases: bad pattern {phrase!r}: {error}"
            ) from error

    def inherited(name: str) -> tuple[str, ...]:
        return (getattr(base, name) if base else ()) + strings(name)

    return FeedProfile(
        key=key,
        name=text("name") or key.rsplit("/", 1)[-1],
        time_zone=zone,
        time_zone_evidence=text("time_zone_evidence"),
        furniture=furniture,
        tracking_hosts=inherited("tracking_hosts"),
        placeholder_image_hosts=inherited("placeholder_image_hosts"),
        default_images=inherited("default_images"),
        promotion_phrases=(base.promotion_phrases if base else ()) + tuple(phrases),
        image_variants=(base.image_variants if base else ()) + tuple(variants),
    )
