"""Reading a seed file from disk: size limit, encoding detection, content hash."""

from __future__ import annotations

import hashlib
from pathlib import Path

from articles.importing.errors import ImportRefused
from articles.importing.profiles import profiles_digest

# Bump when the importer's output for the same file changes, so that a re-run
# re-imports documents whose stored hash came from the older importer.
IMPORTER_VERSION = "2"

BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def content_hash(data: bytes) -> str:
    """Return the hash that tells whether a file changed since it was imported.

    The importer's version and the feed profiles' digest are part of it: after either
    changes, the next run reads every document again (and updates only what comes out different).
    """
    salt = f"{IMPORTER_VERSION}\0{profiles_digest()}\0".encode()
    return hashlib.sha256(salt + data).hexdigest()


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Return the file's bytes, refusing files over ``max_bytes``."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportRefused(
                f"the file is {size:,} bytes; the limit is {max_bytes:,} (NEWSROOM_IMPORT_MAX_BYTES)"
            )
        return path.read_bytes()
    except OSError as error:
        raise ImportRefused(f"cannot read the file: {error.strerror or error}") from error


def decode(data: bytes) -> str:
    """Return the text of ``data``: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise ImportRefused(
                    f"the file starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte {error.start})"
                ) from error
    if b"\0" in data:
        raise ImportRefused("the file contains NUL bytes: it is binary, not a text document")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"unreadable encoding: the file is neither UTF-8 nor GB18030 (bad byte at {error.start})"
        ) from error
