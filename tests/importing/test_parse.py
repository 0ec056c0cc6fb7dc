"""parse(): front matter and body apart, safely, and nothing more."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from articles.importing.errors import ImportRefused, ImportSkipped
from articles.importing.parse import parse
from articles.importing.read import decode
from tests.documents import SEEDS_DIR, document_paths

PROJECT = Path(__file__).resolve().parents[2]
FRONT = "title: '测试标题'\ncategories:\n - 新媒体\n - cnBeta\n - 最新\ndate: Sat, 15 Jan 2022 20:08:45 GMT\n"
BODY = "\n<div>\n<p>第一段。</p>\n</div>\n"


def refusal(text: str) -> str:
    with pytest.raises(ImportRefused) as refused:
        parse(text)
    return refused.value.reason


# -- the shape of a document ----------------------------------------------------------------------


def test_corpus_shape_blank_line_then_front_matter_then_body():
    post = parse(f"\n---\n{FRONT}---\n{BODY}")
    assert post.front_matter["title"] == "测试标题"
    assert post.front_matter["categories"] == ["新媒体", "cnBeta", "最新"]
    assert post.body == BODY


def test_byte_order_mark_is_ignored():
    assert parse(f"\ufeff\n---\n{FRONT}---\n{BODY}") == parse(f"\n---\n{FRONT}---\n{BODY}")


def test_crlf_line_endings_give_the_same_post():
    unix = f"\n---\n{FRONT}---\n{BODY}"
    assert parse(unix.replace("\n", "\r\n")) == parse(unix)


def test_old_mac_line_endings_give_the_same_post():
    unix = f"\n---\n{FRONT}---\n{BODY}"
    assert parse(unix.replace("\n", "\r")) == parse(unix)


def test_several_blank_lines_before_the_opening_line_are_skipped():
    assert parse(f"\n \n\t\n---\n{FRONT}---\n{BODY}").front_matter["title"] == "测试标题"


def test_trailing_spaces_after_the_delimiters_are_accepted():
    assert parse(f"---  \n{FRONT}---\t\n{BODY}").body == BODY


def test_body_containing_dash_lines_is_kept_intact():
    body = "\n<p>上文</p>\n---\n<p>中间</p>\n---\n<pre>\n---\n</pre>\n"
    post = parse(f"\n---\n{FRONT}---\n{body}")
    assert post.body == body
    assert set(post.front_matter) == {"title", "categories", "date"}


def test_empty_front_matter_gives_an_empty_mapping():
    assert parse("---\n---\n<p>x</p>").front_matter == {}


def test_every_seed_document_parses_to_a_mapping_and_a_body(seed_paths):
    assert len(seed_paths) == len(document_paths(SEEDS_DIR)) > 0
    for path in seed_paths:
        post = parse(decode(path.read_bytes()))
        assert isinstance(post.front_matter["title"], str), path
        assert "<div>" in post.body, path


def test_every_corpus_document_parses(corpus_paths):
    for path in corpus_paths:
        post = parse(decode(path.read_bytes()))
        assert post.front_matter["title"], path


# -- documents that are not seed documents --------------------------------------------------------


def test_empty_file_is_refused():
    assert refusal("\n\n  \n") == "the file is empty"


def test_missing_front_matter_is_skipped_as_no_seed_document():
    with pytest.raises(ImportSkipped, match="not a seed document: no front matter"):
        parse("<div><p>只有正文</p></div>\n")


def test_front_matter_not_at_the_start_is_skipped_as_no_seed_document():
    with pytest.raises(ImportSkipped, match="no front matter"):
        parse(f"<p>前言</p>\n---\n{FRONT}---\n{BODY}")


def test_unterminated_front_matter_is_refused():
    assert "unterminated front matter" in refusal(f"\n---\n{FRONT}{BODY}")


def test_invalid_yaml_is_refused_with_its_problem():
    reason = refusal("---\ntitle: '未闭合\ndate: x\n---\n")
    assert reason.startswith("invalid YAML in front matter at line")


def test_invalid_yaml_reports_the_line_of_the_file_without_a_leading_blank_line():
    # File lines: 1 '---', 2 title, 3 the bad indentation.
    reason = refusal("---\ntitle: x\n  bad: indent\n---\n")
    assert "at line 3," in reason


def test_invalid_yaml_reports_the_line_of_the_file_after_a_leading_blank_line():
    # File lines: 1 blank, 2 '---', 3 title, 4 the bad indentation.
    reason = refusal("\n---\ntitle: x\n  bad: indent\n---\n")
    assert "at line 4," in reason


# -- hostile YAML ---------------------------------------------------------------------------------


def test_python_tags_are_refused_without_running_anything(tmp_path):
    marker = tmp_path / "ran"
    reason = refusal(f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n")
    assert "YAML tags are not allowed" in reason
    assert not marker.exists()


def test_python_name_tags_are_refused():
    assert "YAML tags are not allowed" in refusal("---\ntitle: !!python/name:os.system\n---\n")


def test_local_tags_are_refused():
    assert "!foo" in refusal("---\ntitle: !foo bar\n---\n")


def test_alias_bomb_is_refused_quickly():
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    lines += ["title: x", "---", ""]
    started = time.monotonic()
    assert "aliases" in refusal("\n".join(lines))
    assert time.monotonic() - started < 1.0


def test_aliased_mapping_is_refused():
    assert "aliases" in refusal("---\nbase: &b {x: 1}\nother: *b\ntitle: t\n---\n")


def test_too_many_values_are_refused():
    items = "".join(f"  - {number}\n" for number in range(10_001))
    assert "too large" in refusal(f"---\ntitle: t\nextra:\n{items}---\n")


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")])
def test_deeply_nested_front_matter_is_refused(opening, closing):
    depth = 2_000
    scalar = "" if opening == "[" else "1"
    assert "nested too deeply" in refusal(
        f"---\ntitle: t\nextra: {opening * depth}{scalar}{closing * depth}\n---\n"
    )


def test_extremely_deep_nesting_is_refused_without_crashing_the_process():
    program = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'newsroom.settings'); django.setup()\n"
        "from articles.importing.errors import ImportRefused, ImportSkipped\n"
        "from articles.importing.parse import parse\n"
        "try:\n"
        "    parse('---\\ntitle: t\\nextra: ' + '[' * 100_000 + ']' * 100_000 + '\\n---\\n')\n"
        "except ImportRefused as refusal:\n"
        "    print(refusal.reason)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", program], cwd=PROJECT, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr[-500:]
    assert "nested too deeply" in finished.stdout


# -- front matter that is YAML but not a mapping of names -----------------------------------------


@pytest.mark.parametrize(
    "front, kind",
    [("- a\n- b\n", "list"), ("just a sentence\n", "str"), ("42\n", "int")],
)
def test_front_matter_that_is_not_a_mapping_is_refused(front, kind):
    assert refusal(f"---\n{front}---\n") == f"front matter must be a mapping of keys to values, not a {kind}"


@pytest.mark.parametrize("key", ["1", "true", "~"])
def test_keys_that_are_not_text_are_refused(key):
    assert "front-matter keys must be text" in refusal(f"---\n{key}: value\ntitle: t\n---\n")


def test_quoted_keys_that_look_like_numbers_are_text():
    assert parse("---\n'1': value\ntitle: t\n---\n").front_matter["1"] == "value"


def test_yaml_values_keep_their_types_for_normalise_but_dates_stay_text():
    front = parse(
        "---\ntitle: t\ncomments: false\ndate: 2023-06-18 14:30:00\ntags: [a, b]\n---\n"
    ).front_matter
    assert front["comments"] is False
    assert front["tags"] == ["a", "b"]
    # normalise judges dates itself, so that an impossible one is refused naming `date`.
    assert front["date"] == "2023-06-18 14:30:00"
