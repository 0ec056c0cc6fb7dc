"""Splitting a seed document into YAML front matter and HTML body, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from articles.importing.errors import ImportRefused, ImportSkipped

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the pure-Python loader reads the same
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]  # a different class, same role


class FrontMatterLoader(_SafeLoader):
    """The safe loader, leaving dates as text so that ``normalise`` judges them and names the field."""

    yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


DELIMITER = "---"
MAX_FRONT_MATTER_NODES = 10_000
# Deeper nesting is refused before YAML sees it: the C loader recurses and can crash.
MAX_NESTING = 50


@dataclass(frozen=True)
class RawPost:
    front_matter: dict[str, Any]
    body: str


def parse(text: str) -> RawPost:
    """Return the front matter (a dict, safely loaded) and the body of a seed document."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines):
        raise ImportRefused("the file is empty")
    if lines[start].rstrip() != DELIMITER:
        # A README or notes file beside the posts: not a document, and no failure either.
        raise ImportSkipped("not a seed document: no front matter (the first line is not '---')")
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() == DELIMITER:
            break
    else:
        raise ImportRefused("unterminated front matter: no closing '---' line after the opening one")
    front_matter = load_front_matter("\n".join(lines[start + 1 : end]), first_line=start + 2)
    return RawPost(front_matter=front_matter, body="\n".join(lines[end + 1 :]))


def load_front_matter(source: str, first_line: int = 1) -> dict[str, Any]:
    """Return the YAML mapping in ``source`` (which starts at line ``first_line`` of the file).

    No tags, no aliases, no nesting deeper than ``MAX_NESTING``, text keys.
    """
    _refuse_deep_flow_nesting(source)
    try:
        data = yaml.load(source, Loader=FrontMatterLoader)  # noqa: S506 - a safe loader
    except RecursionError as error:
        raise ImportRefused("front matter is nested too deeply") from error
    except yaml.constructor.ConstructorError as error:
        raise ImportRefused(f"YAML tags are not allowed in front matter ({error.problem})") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + first_line}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ImportRefused(f"invalid YAML in front matter{where}: {problem}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ImportRefused(f"front matter must be a mapping of keys to values, not a {type(data).__name__}")
    _refuse_aliases(data)
    for key in data:
        if not isinstance(key, str):
            raise ImportRefused(f"front-matter keys must be text, not {key!r}")
    return data


def _refuse_deep_flow_nesting(source: str) -> None:
    """Refuse ``[[[[…`` or ``{{{{…`` nesting deeper than MAX_NESTING (a cheap scan, before parsing)."""
    depth = deepest = 0
    for character in source:
        if character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth = max(depth - 1, 0)
    if deepest > MAX_NESTING:
        raise ImportRefused(f"front matter is nested too deeply (more than {MAX_NESTING} levels)")


def _refuse_aliases(data: Any) -> None:
    """Refuse YAML anchors/aliases (a repeated container is how alias bombs grow) and deep nesting."""
    seen: set[int] = set()
    stack = [(data, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_NESTING:
            raise ImportRefused(f"front matter is nested too deeply (more than {MAX_NESTING} levels)")
        if id(item) in seen:
            raise ImportRefused("YAML aliases (&anchor / *alias) are not allowed in front matter")
        seen.add(id(item))
        nodes += len(item)
        if nodes > MAX_FRONT_MATTER_NODES:
            raise ImportRefused("front matter is too large (more than 10,000 values)")
        stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
