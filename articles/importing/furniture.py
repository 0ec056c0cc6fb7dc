"""Site furniture in a seed body: recognised, lifted into fields, removed from the story.

Contract (implemented by ``extract_furniture``):

    extract_furniture(body_html: str, *, title: str) -> Furniture

The returned ``Furniture.body`` is the story alone (NOT yet sanitised: the caller
sanitises), with lazy images resolved (``data-original``/``data-src`` → ``src``),
non-standard ``w``/``h`` turned into ``width``/``height`` and
``referrerpolicy="no-referrer"`` kept on images.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TopicTag:
    name: str
    source_slug: str = ""


@dataclass(frozen=True)
class Furniture:
    body: str
    tags: tuple[TopicTag, ...] = ()
    editor: str = ""
    source_name: str = ""
    source_url: str = ""
    writers: tuple[str, ...] = ()
    lead_image_credit: str = ""
    summary: str = ""
    removed: tuple[str, ...] = field(default=())
