"""Splitting a seed document into YAML front matter and HTML body, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from articles.importing.errors import ImportRefused

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DELIMITER = "---"
MAX_FRONT_MATTER_NODES = 10_000


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
        raise ImportRefused("missing front matter: the document must begin with a line '---'")
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() == DELIMITER:
            break
    else:
        raise ImportRefused("unterminated front matter: no closing '---' line after the opening one")
    front_matter = load_front_matter("\n".join(lines[start + 1 : end]))
    return RawPost(front_matter=front_matter, body="\n".join(lines[end + 1 :]))


def load_front_matter(source: str) -> dict[str, Any]:
    """Return the YAML mapping in ``source``; no tags, no aliases, strings as keys."""
    try:
        data = yaml.load(source, Loader=Loader)  # noqa: S506 - a safe loader
    except RecursionError as error:
        raise ImportRefused("front matter is nested too deeply") from error
    except yaml.constructor.ConstructorError as error:
        raise ImportRefused(f"YAML tags are not allowed in front matter ({error.problem})") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
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


def _refuse_aliases(data: Any) -> None:
    """Refuse YAML anchors/aliases: a repeated container is how alias bombs grow."""
    seen: set[int] = set()
    stack = [data]
    nodes = 0
    while stack:
        item = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if id(item) in seen:
            raise ImportRefused("YAML aliases (&anchor / *alias) are not allowed in front matter")
        seen.add(id(item))
        nodes += len(item)
        if nodes > MAX_FRONT_MATTER_NODES:
            raise ImportRefused("front matter is too large (more than 10,000 values)")
        stack.extend(item.values() if isinstance(item, dict) else item)
