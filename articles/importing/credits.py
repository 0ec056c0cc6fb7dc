"""The wording of credit lines: which line of text names a writer, an editor, a source, an image
credit or a rights notice, and what it names. Pure text in, fields out; no markup.

A line is recognised only when every part of it is understood (``作者：阑夕，题图来自视觉中国``
is; ``作者：阑夕说这是真的`` is not a credit and stays in the story). The furniture stage asks
about the lines at the start and the end of a body, never in the middle.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from articles.safe_urls import browser_reading

_SPACE = re.compile(r"\s+")
LABELS = {
    "writer": "作者|原作者|原文作者|撰文|撰稿|文字|文|记者|采写|口述|主笔",
    "editor": "责任编辑|责编|本文编辑|值班编辑|编审|编辑",
    "source": (
        "原文链接|原文地址|原文网址|原链接|文章来源|内容来源|新闻来源|本文来源|本文转自|转载自|转自|稿源|来源|出处|原文|链接"
    ),
    "title": "原标题|原题",
    "image": "题图|头图|封面图|封面|图片来源|图源|配图|摄影|图表|图片|图",
    "credit": "译者|翻译|编译|整理|审校|审核|审稿|校对|本文专家|策划|监制|出品|统筹|排版|美编|制图|公众号|微信号|微信ID",
    "rights": "版权声明|免责声明|版权所有|版权",
}
_LABEL = "|".join(f"(?P<{kind}>{words})" for kind, words in LABELS.items())
_ITEM = re.compile(rf"^(?:{_LABEL})\s*(?:(?:来自|来源于|来源|由)\s*[：:]?|[：:｜|]|/)\s*(?P<value>\S.*?)$")
# "审校 金鹿", "作者 张三": a label, a space, a short name.
_SPACED_ITEM = re.compile(rf"^(?:{_LABEL})\s+(?P<value>[^\s，,。]{{1,12}})$")
_ITEM_SPLIT = re.compile(rf"[，,；;]\s*|\s+(?=(?:{'|'.join(LABELS.values())})\s*[：:｜|/])")
_NAME_SPLIT = re.compile(r"\s*[、/]\s*|\s+")

_WECHAT = re.compile(
    r"^(?:编者按[：:]\s*)?本文(?:来自|来源于|转载自|转自|经授权转载自)\s*"
    r"(?P<via>(?:微信)?(?:公众号|订阅号|头条号|百家号)?\s*[：:]?)\s*"
    r"(?P<name>“[^”]+”|\"[^\"]+\"|「[^」]+」|『[^』]+』|[^，,（(“\"「『]+?)\s*"
    r"(?P<id>[（(]\s*(?:微信)?ID\s*[：:][^）)]*[）)])?\s*(?:[，,]\s*(?P<rest>.*))?$"
)
_POSTED_ON = re.compile(r"^本文(?:由|系)\s*@?\s*(?P<name>.+?)\s*(?:原创|授权)?(?:发布|首发)于.*$")
_RIGHTS = re.compile(
    r"(?:禁止|不得|谢绝|请勿|严禁|未经.{0,12}?)转载|转载请.{0,24}?(?:注明|联系|保留|获得)|如需转载|"
    r"版权(?:归|所有|属)|经.{0,6}?授权(?:发布|转载|刊发)|本文(?:为|系).{0,24}?原创|"
    r"©|\(c\)\s*\d{4}|copyright|all rights reserved",
    re.IGNORECASE,
)
_END = re.compile(
    r"^[\s\-—–_·=*~]*(?:THE\s*END|END|本文结束|全文完|正文完)[\s\-—–_·=*~]*$|^[（(【\[]\s*(?:完|全文完|本文结束)\s*[）)】\]]$",
    re.IGNORECASE,
)
_END_PREFIX = re.compile(r"^[【\[](?:本文结束|全文完)[】\]]\s*")
_PARENTHESISED = re.compile(r"[（(]\s*(?P<inner>[^（）()]{1,40}?)\s*[）)]\s*$")
_REPORTER = re.compile(r"^(?P<outlet>[^\s记]{0,16}?)(?:驻\S{1,6}?)?记者\s*(?P<names>[^\s].{0,30})$")
_LABELLED_SOURCE = re.compile(r"^(?:来源|来源于|稿源|文章来源|据)\s*[：:]?\s*(?P<name>\S.{0,20})$")
_OUTLET_SUFFIX = re.compile(
    r"(?:报|社|网|台|新闻|日报|晚报|早报|时报|周刊|财经|APP|App|客户端|杂志|通讯社|频道|资讯|观察|在线)$"
)
_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_READ_ORIGINAL = re.compile(
    r"^(?:点击)?(?:查看|阅读|访问|前往|打开)(?P<name>.{0,8}?)(?:原文|全文|讨论|原帖|详情)(?:链接)?\s*[>»》]*$|"
    r"^(?:原文链接|原文地址|原文)$|^read (?:the )?(?:original|more|full)\b.*$",
    re.IGNORECASE,
)
_TAGS = re.compile(r"^(?:话题标签|标签|关键词|关键字|话题|tags?)\s*[：:]", re.IGNORECASE)
LOOKS_LIKE_URL = re.compile(r"^(?:https?:)?//\S+$|^www\.\S+$", re.IGNORECASE)
MAX_NAME = 30
MAX_LINE = 300


@dataclass
class CreditLine:
    """What one recognised line says; ``credit`` is whether the line is kept verbatim in the credits."""

    writers: list[str] = field(default_factory=list)
    editor: str = ""
    source_name: str = ""
    source_url: str = ""
    image_credit: str = ""
    rights_notice: str = ""
    end_marker: bool = False
    tags: bool = False
    credit: bool = True


def clean(text: str | None) -> str:
    """Collapse whitespace runs (NBSP and ideographic space included) and strip."""
    return _SPACE.sub(" ", text).strip() if text else ""


def read_line(text: str, links: Sequence[tuple[str, str]] = ()) -> CreditLine | None:
    """Return what the line ``text`` credits, or None when it is (or may be) story.

    ``links`` are the (text, href) of the links in the line, in order: a source's address
    comes from them rather than from the text shown (which may be cut: ``https://x ... 19``).
    """
    text = clean(text)
    if not text or len(text) > MAX_LINE:
        return None
    if _END.match(text):
        return CreditLine(end_marker=True, credit=False)
    ended = _END_PREFIX.match(text)
    if ended:
        rest = read_line(text[ended.end() :], links)
        if rest is not None:
            rest.end_marker = True
        return rest
    if _TAGS.match(text) and links:
        return CreditLine(tags=True, credit=False)
    for reader in (_wechat_notice, _posted_on, _read_original, _bare_url, _parenthesised, _items, _rights):
        line = reader(text, links)
        if line is not None:
            return line
    return None


def strip_trailing_source(text: str) -> tuple[str, CreditLine] | None:
    """Return (text before, the credit) when a story line ends with its source in brackets:
    ``…继续保持扩张。（证券时报）`` or ``…（记者 宋华）``."""
    text = clean(text)
    match = _PARENTHESISED.search(text)
    if match is None or match.start() == 0:
        return None
    before = text[: match.start()].rstrip()
    if not before or before[-1] not in '。！？!?.…”」"）)':
        return None
    line = _parenthesised(match.group(0), ())
    return (before, line) if line is not None else None


def _names(value: str) -> list[str]:
    names = [name.strip(" ，,：:。") for name in _NAME_SPLIT.split(value)]
    names = [name for name in names if name]
    if not names or any(len(name) > MAX_NAME or "。" in name for name in names):
        return []
    return names


def _link_for(links: Sequence[tuple[str, str]], name: str = "") -> str:
    """Return the address a credit line links to: a web address (the one named ``name`` first), else
    any other link it has, which ``normalise`` refuses with a warning rather than losing silently."""
    linked = [
        (label, href.strip()) for label, href in links if href.strip() and not href.strip().startswith("#")
    ]
    usable = [(label, href) for label, href in linked if _usable(href)]
    for label, href in usable:
        if name and name in label:
            return href
    if usable:
        return usable[0][1]
    return linked[0][1] if linked else ""


def _usable(href: str) -> bool:
    """Whether a browser would follow ``href`` as an http(s) address (``jav&#9;ascript:`` is not one)."""
    parsed = browser_reading(href)
    return parsed is not None and parsed.protocol in ("http:", "https:")


def _unquote(name: str) -> str:
    return name.strip().strip('“”"「」『』').strip()


def _wechat_notice(text: str, links: Sequence[tuple[str, str]]) -> CreditLine | None:
    match = _WECHAT.match(text)
    if match is None:
        return None
    name = _unquote(match.group("name"))
    if not name or len(name) > MAX_NAME:
        return None
    line = CreditLine(source_name=name, source_url=_link_for(links, name), rights_notice=text)
    for item in _ITEM_SPLIT.split(match.group("rest") or ""):
        item = item.strip(" 。")
        if not item:
            continue
        part = _item(item, links)
        if part is not None and part.writers:
            line.writers.extend(part.writers)
        elif part is not None and part.image_credit:
            line.image_credit = line.image_credit or part.image_credit
    return line


def _posted_on(text: str, links: Sequence[tuple[str, str]]) -> CreditLine | None:
    match = _POSTED_ON.match(text)
    if match is None:
        return None
    name = match.group("name").lstrip("@ ").strip()
    return CreditLine(writers=[name] if name and len(name) <= MAX_NAME else [], rights_notice=text)


def _read_original(text: str, links: Sequence[tuple[str, str]]) -> CreditLine | None:
    match = _READ_ORIGINAL.match(text)
    href = _link_for(links)
    if match is None or not href:
        return None
    name = (match.group("name") or "").strip() if match.lastgroup == "name" or match.group("name") else ""
    return CreditLine(source_name=name if name and not LOOKS_LIKE_URL.match(name) else "", source_url=href)


def _bare_url(text: str, links: Sequence[tuple[str, str]]) -> CreditLine | None:
    if not _BARE_URL.match(text):
        return None
    href = _link_for(links) or text
    return CreditLine(source_url=href if "://" in href else "https://" + href)


def _parenthesised(text: str, links: Sequence[tuple[str, str]]) -> CreditLine | None:
    match = _PARENTHESISED.fullmatch(text)
    if match is None:
        return None
    inner = match.group("inner").strip()
    reporter = _REPORTER.match(inner)
    if reporter:
        names = _names(reporter.group("names"))
        if names:
            outlet = reporter.group("outlet").strip()
            return CreditLine(writers=names, source_name=outlet if _OUTLET_SUFFIX.search(outlet) else "")
    labelled = _LABELLED_SOURCE.match(inner)
    if labelled:
        return CreditLine(source_name=labelled.group("name").strip(), source_url=_link_for(links))
    if _OUTLET_SUFFIX.search(inner) and len(inner) <= 16 and not re.search(r"[，,。：:]", inner):
        return CreditLine(source_name=inner, source_url=_link_for(links))
    return None


def _items(text: str, links: Sequence[tuple[str, str]]) -> CreditLine | None:
    """A line of labelled items (``作者：A；公众号：B``), every one of them understood."""
    whole = _ITEM.match(text)
    if whole is not None and whole.group("image") and len(whole.group("value")) <= 60:
        # "题图来自 Unsplash，基于 CC0 协议": an image credit runs to the end of its line.
        return CreditLine(image_credit=whole.group("value").strip())
    line = CreditLine()
    parts = [part.strip(" 。") for part in _ITEM_SPLIT.split(text)]
    parts = [part for part in parts if part]
    if not parts:
        return None
    for part in parts:
        item = _item(part, links)
        if item is None:
            return None
        line.writers.extend(item.writers)
        line.editor = line.editor or item.editor
        line.source_name = line.source_name or item.source_name
        line.source_url = line.source_url or item.source_url
        line.image_credit = line.image_credit or item.image_credit
        line.rights_notice = line.rights_notice or item.rights_notice
    return line


def _item(part: str, links: Sequence[tuple[str, str]]) -> CreditLine | None:
    match = _ITEM.match(part) or _SPACED_ITEM.match(part)
    if match is None:
        return _rights(part, links)
    value = match.group("value").strip()
    kind = next(kind for kind in LABELS if match.group(kind))
    if kind == "writer":
        names = _names(value)
        return CreditLine(writers=names) if names else None
    if kind == "editor":
        names = _names(value)
        return CreditLine(editor="、".join(names)) if names else None
    if kind == "source":
        label = match.group("source")
        href = _link_for(links)
        if LOOKS_LIKE_URL.match(value.split()[0]):
            return CreditLine(source_url=href or value.split()[0])
        if href and label.startswith(("原文", "原链接", "链接")):
            return CreditLine(source_url=href, source_name=value if len(value) <= MAX_NAME else "")
        if label == "链接" or len(value) > MAX_NAME:
            return None
        return CreditLine(source_name=value, source_url=_link_for(links, value))
    if kind == "image":
        return CreditLine(image_credit=value) if len(value) <= 60 else None
    if kind == "rights":
        return CreditLine(rights_notice=part)
    return CreditLine() if len(value) <= 60 else None


def _rights(text: str, links: Sequence[tuple[str, str]]) -> CreditLine | None:
    if len(text) > 200 or not _RIGHTS.search(text):
        return None
    return CreditLine(rights_notice=text)
