"""Image rules shared by the admin upload and the importer: what we accept, and the sizes we render.

``validate_image`` decides whether a file is an image we keep: not bigger than
``NEWSROOM_IMAGE_MAX_BYTES``, really an image (Pillow opens, verifies and decodes
it), in one of ``ALLOWED_FORMATS`` and not bigger than
``NEWSROOM_IMAGE_MAX_PIXELS`` (which also stops decompression bombs before they
are decoded). ``validate_image_field`` is the same check as a field validator.

``render_renditions`` writes smaller copies of a stored image for ``srcset``, at
each width of ``NEWSROOM_IMAGE_WIDTHS`` below the original's width, plus the
original's own width (capped at the largest configured width). Copies are
turned upright (EXIF orientation), stripped of metadata, and named
deterministically, one folder per original::

    renditions/<original name>/<width>w.<ext>

e.g. ``articles/2026/05/a.png`` → ``renditions/articles/2026/05/a.png/480w.webp``.
The folder keeps the original's extension so that ``a.png`` and ``a.jpg`` never
share copies. JPEG originals give JPEG copies (RGB). Every other format (PNG, GIF,
WebP) gives WebP copies, which keep transparency and are far smaller than PNG
for photos. Animated images get no copies: a still copy would lose the
animation, so pages show the original.

What was rendered is kept on the row that shows the image (``{width: storage
name}``, e.g. ``Article.lead_image_renditions``): ``rendition_urls`` makes the
``srcset`` from it without touching storage, and ``delete_renditions`` removes
the copies of an image that was replaced.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP"})
# Pillow names some formats after a variant; they are stored and served as the base format.
# MPO is the multi-picture JPEG many phone cameras write.
FORMAT_ALIASES = {"MPO": "JPEG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}

RENDITIONS_ROOT = "renditions"
JPEG_QUALITY = 85
WEBP_QUALITY = 85
EXIF_ORIENTATION = 0x0112
SIDEWAYS_ORIENTATIONS = {5, 6, 7, 8}

MESSAGES = {
    "not_image": _("The file is not an image (or is damaged)."),
    "too_many_bytes": _("The image is too large: %(size)s; the limit is %(limit)s."),
    "format": _("Images in %(format)s format are not accepted; use JPEG, PNG, GIF or WebP."),
    "too_many_pixels": _(
        "The image has too many pixels: %(width)s × %(height)s is %(pixels)s; the limit is %(limit)s pixels."
    ),
    "pixel_bomb": _("The image has too many pixels; the limit is %(limit)s pixels."),
}


@dataclass(frozen=True)
class ImageInfo:
    """What ``validate_image`` learnt about an accepted image; ``bytes`` is the file size."""

    format: str
    width: int
    height: int
    bytes: int

    @property
    def extension(self) -> str:
        """Return the usual file extension for the format, without the dot: jpg, png, gif or webp."""
        return EXTENSIONS[self.format]

    @property
    def content_type(self) -> str:
        """Return the MIME type of the format."""
        return CONTENT_TYPES[self.format]


def validate_image(file) -> ImageInfo:
    """Return what ``file`` is if it is an image we accept; raise ``ValidationError`` saying why not.

    ``file`` is bytes, a Django ``File`` (an upload, a ``FieldFile``) or any binary
    file object; a file is read from the start and left rewound.
    """
    data = _read_limited(file)
    with _pillow_guard():
        try:
            with Image.open(io.BytesIO(data)) as image:
                image_format = _check_format(image)
                width, height = image.size
                _check_pixels(width, height)
                image.verify()
            # verify() leaves the image unusable: reopen and decode it, which
            # also catches truncated files that verify() lets through.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except ValidationError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow reports broken files with any of these (SyntaxError for bad headers).
            raise ValidationError(MESSAGES["not_image"], code="not_image") from error
    return ImageInfo(format=image_format, width=width, height=height, bytes=len(data))


def validate_image_field(value) -> None:
    """Field validator running ``validate_image`` on a new upload.

    An image already in storage (a committed ``FieldFile``) was checked when it
    was uploaded and is not read again each time the form is saved.
    """
    if not value or getattr(value, "_committed", False):
        return
    validate_image(value)


def render_renditions(image_name: str, storage: Storage = default_storage) -> dict[int, str]:
    """Write the smaller copies of the stored image ``image_name``; return {width: storage name}.

    Copies that already exist are not written again, so calling this twice is
    cheap and changes nothing. Animated images get no copies (returns ``{}``).
    """
    if not image_name:
        return {}
    with storage.open(image_name, "rb") as file, _pillow_guard():
        try:
            image = Image.open(file)
        except (UnidentifiedImageError, ValueError) as error:
            raise ValidationError(MESSAGES["not_image"], code="not_image") from error
        with image:
            image_format = _check_format(image)
            _check_pixels(*image.size)
            # A multi-frame JPEG (MPO) is a still photo plus extras; GIF, PNG and WebP frames animate.
            if image_format != "JPEG" and getattr(image, "is_animated", False):
                return {}
            upright_width, _upright_height = _upright_size(image)
            names = {
                width: rendition_name(image_name, width, image_format)
                for width in target_widths(upright_width)
            }
            missing = {width: name for width, name in names.items() if not storage.exists(name)}
            if missing:
                _write_renditions(image, image_format, upright_width, missing, storage)
    return names


def rendition_urls(renditions: Mapping, storage: Storage = default_storage) -> list[tuple[int, str]]:
    """Return [(width, url)] of the copies recorded in ``renditions`` ({width: storage name}), narrowest first.

    Reads only the record (a JSON field gives the widths as text): no file is listed or opened.
    Empty when there are no copies (none rendered, or an animated image); the page then uses
    the original.
    """
    return sorted((int(width), storage.url(name)) for width, name in (renditions or {}).items())


def renditions_of_another_image(image_name: str, renditions: Mapping) -> bool:
    """Return whether ``renditions`` record copies that are not ``image_name``'s (those of an image it replaced)."""
    folder = rendition_folder(image_name) + "/" if image_name else None
    return any(not (folder and name.startswith(folder)) for name in (renditions or {}).values())


def renditions_to_record(
    image_name: str, recorded: Mapping, image_changed: bool, storage: Storage = default_storage
) -> tuple[dict[str, str], dict[str, str]] | None:
    """Return (the renditions to record, the recorded ones they replace) when ``image_name`` is new
    (``image_changed``) or ``recorded`` are another image's copies; None when the record stands.

    Renders what is missing. The replaced copies are the caller's to delete, once its change is
    committed and when no other row shows their image.
    """
    if not image_changed and not renditions_of_another_image(image_name, recorded):
        return None
    rendered = {str(width): name for width, name in render_renditions(image_name, storage).items()}
    replaced = {width: old for width, old in (recorded or {}).items() if old not in rendered.values()}
    return rendered, replaced


def delete_renditions(renditions: Mapping, storage: Storage = default_storage) -> None:
    """Delete the copies recorded in ``renditions`` from storage (those already gone are skipped)."""
    for name in (renditions or {}).values():
        storage.delete(name)


def target_widths(original_width: int) -> list[int]:
    """Return the widths to render for an image ``original_width`` pixels wide (never wider)."""
    configured = sorted(set(settings.NEWSROOM_IMAGE_WIDTHS))
    if not configured:
        return []
    widths = {width for width in configured if width < original_width}
    widths.add(min(original_width, configured[-1]))
    return sorted(widths)


def rendition_folder(image_name: str) -> str:
    """Return the storage folder holding the copies of ``image_name``."""
    return f"{RENDITIONS_ROOT}/{image_name.strip('/')}"


def original_of(rendition: str) -> str:
    """Return the storage name of the image that ``rendition`` (a name from ``rendition_name``) is a copy of."""
    return rendition.removeprefix(f"{RENDITIONS_ROOT}/").rsplit("/", 1)[0]


def rendition_name(image_name: str, width: int, image_format: str) -> str:
    """Return the storage name of the ``width``-pixel copy of ``image_name`` (a ``format`` image)."""
    extension = "jpg" if image_format == "JPEG" else "webp"
    return f"{rendition_folder(image_name)}/{width}w.{extension}"


def format_bytes(size: int) -> str:
    """Return ``size`` in bytes the way people read it: 512 bytes, 340 KB, 12.3 MB."""
    if size < 1024:
        return f"{size} bytes"
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        value = size / scale
        if value < 1024 or unit == "GB":
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    raise AssertionError("unreachable")


# --- inside ------------------------------------------------------------------


def _read_limited(file) -> bytes:
    """Return the bytes of ``file``, refusing before reading when it is over the byte limit."""
    limit = settings.NEWSROOM_IMAGE_MAX_BYTES
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
        _check_bytes(len(data), limit)
        return data
    size = getattr(file, "size", None)
    if isinstance(size, int):
        _check_bytes(size, limit)
    if getattr(file, "closed", False) and hasattr(file, "open"):
        file.open("rb")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    if isinstance(data, str):
        raise ValidationError(MESSAGES["not_image"], code="not_image")
    _check_bytes(len(data), limit)
    return data


def _check_bytes(size: int, limit: int) -> None:
    if size > limit:
        raise ValidationError(
            MESSAGES["too_many_bytes"],
            code="too_many_bytes",
            params={"size": format_bytes(size), "limit": format_bytes(limit)},
        )


def _check_format(image: Image.Image) -> str:
    image_format = FORMAT_ALIASES.get(image.format or "", image.format or "")
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            MESSAGES["format"], code="format", params={"format": image.format or _("unknown")}
        )
    return image_format


def _check_pixels(width: int, height: int) -> None:
    limit = settings.NEWSROOM_IMAGE_MAX_PIXELS
    if width * height > limit:
        raise ValidationError(
            MESSAGES["too_many_pixels"],
            code="too_many_pixels",
            params={
                "width": width,
                "height": height,
                "pixels": f"{width * height:,}",
                "limit": f"{limit:,}",
            },
        )


@contextmanager
def _pillow_guard() -> Iterator[None]:
    """Turn Pillow's decompression-bomb warning and error into our "too many pixels" refusal."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            limit = settings.NEWSROOM_IMAGE_MAX_PIXELS
            raise ValidationError(
                MESSAGES["pixel_bomb"], code="too_many_pixels", params={"limit": f"{limit:,}"}
            ) from error


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """Return the size ``image`` has once turned as its EXIF orientation says, without decoding it."""
    width, height = image.size
    try:
        orientation = image.getexif().get(EXIF_ORIENTATION)
    except Exception:  # a broken EXIF block: the image is shown as stored
        orientation = None
    if orientation in SIDEWAYS_ORIENTATIONS:
        return height, width
    return width, height


def _write_renditions(
    image: Image.Image, image_format: str, upright_width: int, missing: dict[int, str], storage: Storage
) -> None:
    widest = max(missing)
    if image_format == "JPEG":
        # Let the JPEG decoder scale down by a power of two when even the widest copy is much smaller.
        scale = widest / upright_width
        image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    # A colour profile only describes the pixels it came with: drop it when the colour model changes.
    icc_profile = image.info.get("icc_profile") if image.mode in {"RGB", "RGBA"} else None
    upright = ImageOps.exif_transpose(image)
    upright = _output_mode(upright, image_format)
    for width, name in sorted(missing.items()):
        if width < upright.width:
            height = max(1, round(upright.height * width / upright.width))
            copy = upright.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        else:
            copy = upright
        buffer = io.BytesIO()
        options = {"icc_profile": icc_profile} if icc_profile else {}
        if image_format == "JPEG":
            copy.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **options)
        else:
            copy.save(buffer, "WEBP", quality=WEBP_QUALITY, **options)
        saved = storage.save(name, ContentFile(buffer.getvalue()))
        if saved != name:
            # Another process wrote the same copy meanwhile: keep theirs, drop ours.
            storage.delete(saved)


def _output_mode(image: Image.Image, image_format: str) -> Image.Image:
    """Return ``image`` in RGB for JPEG copies, RGB or RGBA (keeping transparency) for WebP copies."""
    if image_format == "JPEG":
        return image if image.mode == "RGB" else image.convert("RGB")
    has_alpha = image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)
