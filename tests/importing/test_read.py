"""Reading a seed file: encodings, binary files, the size limit and files that cannot be read.

Every odd file is written inside the test (``tmp_path``), so no fixture holds bytes that
an editor or a ``git diff`` would mangle.
"""

from __future__ import annotations

import os

import pytest

from articles.importing.errors import ImportRefused
from articles.importing.pipeline import prepare
from articles.importing.read import content_hash, decode, read_bytes

DOCUMENT = "\n---\ntitle: '国产半固态电池完成零下30℃冷启动测试'\ndate: Tue, 14 Mar 2023 02:36:10 GMT\n---\n\n<div>\n<p>漠河实测，续航衰减不到15%。</p>\n</div>\n"
TITLE = "国产半固态电池完成零下30℃冷启动测试"


def write(tmp_path, data: bytes, name: str = "document.md"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def prepared(path):
    """Return what the pipeline makes of the file at ``path`` (settings decide the size limit)."""
    return prepare(path, path.name, content_hash(path.read_bytes()) if path.is_file() else "", "published")


# -- encodings -----------------------------------------------------------------------------------


def test_utf8_without_bom_is_decoded():
    assert decode(DOCUMENT.encode("utf-8")) == DOCUMENT


def test_utf8_with_bom_is_decoded_without_the_bom():
    assert decode(b"\xef\xbb\xbf" + DOCUMENT.encode("utf-8")) == DOCUMENT


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(encoding):
    data = DOCUMENT.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    elif encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert decode(data) == DOCUMENT


def test_gb18030_chinese_file_is_decoded_correctly():
    data = DOCUMENT.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test only means something if this is not UTF-8 as well
    assert decode(data) == DOCUMENT


def test_gb18030_file_imports_with_its_chinese_title(tmp_path):
    result = prepared(write(tmp_path, DOCUMENT.encode("gb18030")))
    assert result.refusal == ""
    assert result.post.title == TITLE


def test_undecodable_bytes_are_refused_naming_the_encoding_problem():
    with pytest.raises(ImportRefused) as refused:
        decode(b"\n---\ntitle: x\n---\n\xff\xff\xff")
    assert "neither UTF-8 nor GB18030" in refused.value.reason


def test_bom_followed_by_invalid_utf8_is_refused_naming_the_bom():
    with pytest.raises(ImportRefused) as refused:
        decode(b"\xef\xbb\xbf\n---\ntitle: \xff\xfe\xfd\n---\n")
    assert "byte-order mark" in refused.value.reason
    assert "utf-8" in refused.value.reason


def test_utf16_bom_with_an_odd_byte_count_is_refused():
    with pytest.raises(ImportRefused) as refused:
        decode(b"\xff\xfe" + "标题".encode("utf-16-le") + b"\x00\xd8")
    assert "byte-order mark" in refused.value.reason


def test_nul_bytes_are_refused_as_binary():
    with pytest.raises(ImportRefused) as refused:
        decode(DOCUMENT.encode("utf-8") + b"\x00\x01\x02")
    assert "NUL" in refused.value.reason


def test_utf16_without_bom_is_refused_rather_than_misread():
    with pytest.raises(ImportRefused) as refused:
        decode(DOCUMENT.encode("utf-16-le"))
    assert "NUL" in refused.value.reason


def test_binary_file_fails_in_the_pipeline_with_its_reason(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    result = prepared(write(tmp_path, png, "picture.md"))
    assert result.post is None
    assert "NUL" in result.refusal


# -- size -----------------------------------------------------------------------------------------


def test_oversized_file_is_refused_naming_its_size_and_the_limit(tmp_path, settings):
    settings.NEWSROOM_IMPORT_MAX_BYTES = 1_000
    path = write(tmp_path, DOCUMENT.encode("utf-8") + b"<p>" + b"x" * 2_000 + b"</p>\n")
    size = path.stat().st_size
    result = prepared(path)
    assert result.post is None
    assert f"{size:,}" in result.refusal
    assert "1,000" in result.refusal
    assert "NEWSROOM_IMPORT_MAX_BYTES" in result.refusal


def test_file_exactly_at_the_limit_is_read(tmp_path):
    data = DOCUMENT.encode("utf-8")
    path = write(tmp_path, data)
    assert read_bytes(path, len(data)) == data
    with pytest.raises(ImportRefused):
        read_bytes(path, len(data) - 1)


# -- files that cannot be read ---------------------------------------------------------------------


def test_directory_named_like_a_document_is_refused(tmp_path):
    folder = tmp_path / "folder.md"
    folder.mkdir()
    with pytest.raises(ImportRefused) as refused:
        read_bytes(folder, 10_000)
    assert "cannot read the file" in refused.value.reason


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ImportRefused) as refused:
        read_bytes(tmp_path / "gone.md", 10_000)
    assert "cannot read the file" in refused.value.reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_file_without_read_permission_is_refused(tmp_path):
    path = write(tmp_path, DOCUMENT.encode("utf-8"))
    path.chmod(0)
    try:
        with pytest.raises(ImportRefused) as refused:
            read_bytes(path, 10_000)
        assert "Permission denied" in refused.value.reason
    finally:
        path.chmod(0o644)


def test_content_hash_changes_with_a_single_byte():
    data = DOCUMENT.encode("utf-8")
    assert content_hash(data) == content_hash(bytes(data))
    assert content_hash(data) != content_hash(data + b" ")


def test_permission_error_is_refused_with_the_system_reason(tmp_path, monkeypatch):
    path = write(tmp_path, DOCUMENT.encode("utf-8"))

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(path), "read_bytes", denied)
    with pytest.raises(ImportRefused) as refused:
        read_bytes(path, 10_000)
    assert refused.value.reason == "cannot read the file: Permission denied"


def test_utf8_file_with_a_broken_sequence_is_refused_rather_than_read_as_gb18030():
    data = DOCUMENT.encode("utf-8")
    broken = data.replace("漠河".encode(), b"\xe4A" + "漠河".encode(), 1)
    with pytest.raises(ImportRefused) as refused:
        decode(broken)
    assert "neither UTF-8 nor GB18030" in refused.value.reason
