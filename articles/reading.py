"""What a text tells a reader before they read it: its language (for ``lang`` marks) and its reading time.

Both are worked out when an article is saved and stored with it (``Article.title_language``,
``body_language``, ``reading_minutes``): a page shows them without looking at the text again.

**Language.** The site is Simplified Chinese; some feeds write Traditional Chinese (Taiwan and
Hong Kong sites) or Japanese (anime titles), and the right fonts apply only when the text says
so (``lang="zh-Hant"``, ``lang="ja"``). The test is cheap and conservative:

- Japanese when kana carry the text: hiragana (the particles and endings of Japanese grammar,
  which Chinese never uses) make up a fifth of its CJK characters, or katakana outnumber the
  ideographs (a title in katakana). A Chinese text quoting a Japanese song title has a few kana
  among many ideographs and stays Chinese.
- Traditional Chinese when more of its ideographs exist only in the traditional set than only in
  the simplified set (CC-CEDICT's sets, from ``hanzidentifier``): 劇場版 and 釋出 against 剧场版.
- Simplified Chinese otherwise, and nothing (``""``) for a text without CJK characters.

**Reading time.** About 400 Chinese or Japanese characters a minute, and 200 words of other
languages, rounded up; at least one minute for any text.
"""

from __future__ import annotations

import math
import re

from hanzidentifier import helpers as hanzi

SIMPLIFIED = "zh-Hans"
TRADITIONAL = "zh-Hant"
JAPANESE = "ja"
LANGUAGES = (SIMPLIFIED, TRADITIONAL, JAPANESE)

HIRAGANA = re.compile(r"[\u3041-\u309f]")
KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]")
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
TRADITIONAL_ONLY = frozenset(hanzi.TRADITIONAL_CHARACTERS - hanzi.SHARED_CHARACTERS)
SIMPLIFIED_ONLY = frozenset(hanzi.SIMPLIFIED_CHARACTERS - hanzi.SHARED_CHARACTERS)
# What is read to decide: the opening of a long body says as much as the whole.
SAMPLE_CHARACTERS = 3000
CJK_CHARACTERS_PER_MINUTE = 400
WORDS_PER_MINUTE = 200


def detect_language(text: str) -> str:
    """Return the language of ``text``: ``zh-Hans``, ``zh-Hant``, ``ja``, or ``""`` without CJK text."""
    sample = text[:SAMPLE_CHARACTERS]
    hiragana = len(HIRAGANA.findall(sample))
    katakana = len(KATAKANA.findall(sample))
    ideographs = IDEOGRAPH.findall(sample)
    cjk = hiragana + katakana + len(ideographs)
    if not cjk:
        return ""
    if (hiragana and hiragana * 5 >= cjk) or (katakana >= 2 and katakana > len(ideographs)):
        return JAPANESE
    traditional = sum(1 for character in ideographs if character in TRADITIONAL_ONLY)
    simplified = sum(1 for character in ideographs if character in SIMPLIFIED_ONLY)
    return TRADITIONAL if traditional > simplified else SIMPLIFIED


def reading_minutes(text: str) -> int:
    """Return the minutes ``text`` takes to read, rounded up; 0 for no text."""
    characters = len(IDEOGRAPH.findall(text)) + len(HIRAGANA.findall(text)) + len(KATAKANA.findall(text))
    words = len(LATIN_WORD.findall(text))
    if not characters and not words:
        return 0
    return max(1, math.ceil(characters / CJK_CHARACTERS_PER_MINUTE + words / WORDS_PER_MINUTE))
