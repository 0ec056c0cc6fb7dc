"""Image rules: what validate_image accepts and refuses, and the renditions written for srcset."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from articles.images import (
    ImageInfo,
    delete_renditions,
    format_bytes,
    original_of,
    render_renditions,
    rendition_urls,
    renditions_of_another_image,
    validate_image,
    validate_image_field,
)


def image_bytes(width, height, image_format="PNG", mode="RGB", **save_options):
    buffer = io.BytesIO()
    color = (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)
    Image.new(mode, (width, height), color[: len(mode)] if mode != "L" else 128).save(
        buffer, image_format, **save_options
    )
    return buffer.getvalue()


def png_claiming_size(width, height):
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's header)."""
    data = bytearray(image_bytes(1, 1))
    ihdr = 8 + 4  # signature, chunk length
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr : ihdr + 4 + 13]))
    data[ihdr + 4 + 13 : ihdr + 4 + 17] = struct.pack(">I", crc)
    return bytes(data)


def messages(error_info):
    with translation.override("en"):
        return [str(message) for message in error_info.value.messages]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL = "/media/"
    settings.NEWSROOM_IMAGE_WIDTHS = [480, 960, 1600]
    return tmp_path


def store(name, content):
    return default_storage.save(name, ContentFile(content))


# --- validate_image -------------------------------------------------------------


def test_a_png_is_accepted_with_its_format_size_and_dimensions():
    data = image_bytes(64, 48, "PNG")

    info = validate_image(data)

    assert info == ImageInfo(format="PNG", width=64, height=48, bytes=len(data))
    assert (info.extension, info.content_type) == ("png", "image/png")


def test_a_jpeg_upload_is_accepted_and_left_rewound():
    upload = SimpleUploadedFile("photo.jpg", image_bytes(120, 80, "JPEG"), content_type="image/jpeg")

    info = validate_image(upload)

    assert (info.format, info.width, info.height) == ("JPEG", 120, 80)
    assert upload.tell() == 0


@pytest.mark.parametrize("image_format", ["GIF", "WEBP"])
def test_gif_and_webp_are_accepted(image_format):
    assert validate_image(image_bytes(10, 10, image_format)).format == image_format


def test_a_phone_cameras_multi_picture_jpeg_counts_as_jpeg():
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (40, 30), "red"), Image.new("RGB", (20, 15), "blue")
    first.save(buffer, "MPO", save_all=True, append_images=[second])

    info = validate_image(buffer.getvalue())

    assert (info.format, info.width, info.extension) == ("JPEG", 40, "jpg")


def test_a_text_file_renamed_jpg_is_refused_as_not_an_image():
    upload = SimpleUploadedFile("photo.jpg", "这不是图片。".encode(), content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        validate_image(upload)

    assert messages(refused) == ["The file is not an image (or is damaged)."]
    assert refused.value.code == "not_image"


def test_a_truncated_image_is_refused_as_damaged():
    data = image_bytes(300, 200, "JPEG")

    with pytest.raises(ValidationError) as refused:
        validate_image(data[: len(data) // 2])

    assert messages(refused) == ["The file is not an image (or is damaged)."]


def test_a_file_over_the_byte_limit_is_refused_with_both_sizes(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 10 * 1024 * 1024
    upload = SimpleUploadedFile("big.jpg", b"\0" * int(12.3 * 1024 * 1024), content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        validate_image(upload)

    assert messages(refused) == ["The image is too large: 12.3 MB; the limit is 10 MB."]


def test_the_byte_limit_applies_to_plain_file_objects_too(settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 100

    with pytest.raises(ValidationError) as refused:
        validate_image(io.BytesIO(image_bytes(200, 200, "PNG", compress_level=0)))

    assert refused.value.code == "too_many_bytes"


def test_an_image_over_the_pixel_limit_is_refused(settings):
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 100

    with pytest.raises(ValidationError) as refused:
        validate_image(image_bytes(20, 10))

    assert messages(refused) == ["The image has too many pixels: 20 × 10 is 200; the limit is 100 pixels."]


def test_a_decompression_bomb_is_refused_from_its_header_without_being_decoded():
    with pytest.raises(ValidationError) as refused:
        validate_image(png_claiming_size(100_000, 100_000))

    assert refused.value.code == "too_many_pixels"
    assert "too many pixels" in messages(refused)[0]


def test_a_bmp_is_refused_naming_the_format_and_the_accepted_ones():
    with pytest.raises(ValidationError) as refused:
        validate_image(image_bytes(10, 10, "BMP"))

    assert messages(refused) == ["Images in BMP format are not accepted; use JPEG, PNG, GIF or WebP."]


def test_the_field_validator_refuses_a_bad_upload_and_accepts_a_good_one():
    validate_image_field(SimpleUploadedFile("ok.png", image_bytes(5, 5), content_type="image/png"))

    with pytest.raises(ValidationError):
        validate_image_field(SimpleUploadedFile("bad.png", b"not an image", content_type="image/png"))


def test_the_field_validator_checks_a_new_upload_on_the_article_field():
    from articles.models import Article

    article = Article(title="图")
    article.lead_image = SimpleUploadedFile("fake.jpg", b"GIF? no, text", content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        validate_image_field(article.lead_image)

    assert messages(refused) == ["The file is not an image (or is damaged)."]


def test_the_field_validator_does_not_reread_an_image_already_stored():
    class StoredFile:
        _committed = True

        def read(self, *args):
            raise AssertionError("a stored image must not be read again")

        def __bool__(self):
            return True

    validate_image_field(StoredFile())


@pytest.mark.parametrize(
    ("size", "text"),
    [(10, "10 bytes"), (2048, "2 KB"), (int(12.3 * 1024 * 1024), "12.3 MB"), (10 * 1024 * 1024, "10 MB")],
)
def test_sizes_are_written_for_people(size, text):
    assert format_bytes(size) == text


# --- renditions -----------------------------------------------------------------


def test_renditions_are_written_at_each_configured_width_below_the_original(media):
    name = store("articles/2026/05/wide.jpg", image_bytes(2000, 1000, "JPEG"))

    renditions = render_renditions(name)

    assert renditions == {
        480: "renditions/articles/2026/05/wide.jpg/480w.jpg",
        960: "renditions/articles/2026/05/wide.jpg/960w.jpg",
        1600: "renditions/articles/2026/05/wide.jpg/1600w.jpg",
    }
    for width, rendition in renditions.items():
        with Image.open(media / rendition) as image:
            assert image.format == "JPEG"
            assert image.size == (width, width // 2)


def test_the_original_width_is_rendered_when_it_is_between_configured_widths(media):
    name = store("articles/mid.jpg", image_bytes(1200, 600, "JPEG"))

    assert sorted(render_renditions(name)) == [480, 960, 1200]


def test_a_small_image_is_not_upscaled(media):
    name = store("articles/small.jpg", image_bytes(300, 200, "JPEG"))

    renditions = render_renditions(name)

    assert list(renditions) == [300]
    with Image.open(media / renditions[300]) as image:
        assert image.size == (300, 200)


def test_rendering_twice_writes_nothing_the_second_time(media, monkeypatch):
    name = store("articles/again.jpg", image_bytes(1000, 500, "JPEG"))
    first = render_renditions(name)
    written = sorted(path for path in media.rglob("*") if path.is_file())

    def no_writes(*args, **kwargs):
        raise AssertionError("an existing rendition was written again")

    monkeypatch.setattr(default_storage, "save", no_writes)

    assert render_renditions(name) == first
    assert sorted(path for path in media.rglob("*") if path.is_file()) == written


def test_transparent_png_renditions_are_webp_and_keep_transparency(media):
    name = store("articles/logo.png", image_bytes(1000, 500, "PNG", mode="RGBA"))

    renditions = render_renditions(name)

    assert renditions[480] == "renditions/articles/logo.png/480w.webp"
    with Image.open(media / renditions[480]) as image:
        assert image.format == "WEBP"
        assert image.mode == "RGBA"
        assert image.getpixel((10, 10))[3] == 128


def test_a_png_and_a_jpeg_with_the_same_base_name_get_separate_renditions(media):
    png = store("articles/photo.png", image_bytes(600, 300, "PNG"))
    jpeg = store("articles/photo.jpg", image_bytes(600, 300, "JPEG"))

    assert set(render_renditions(png).values()).isdisjoint(render_renditions(jpeg).values())


def test_renditions_are_turned_upright_from_exif_orientation(media):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown rotated 90°, so 1000 wide and 2000 high
    name = store("articles/sideways.jpg", image_bytes(2000, 1000, "JPEG", exif=exif))

    renditions = render_renditions(name)

    assert sorted(renditions) == [480, 960, 1000]
    with Image.open(media / renditions[480]) as image:
        assert image.size == (480, 960)
        assert image.getexif().get(0x0112) is None


def test_an_animated_gif_gets_no_renditions_so_pages_keep_the_animation(media):
    buffer = io.BytesIO()
    frames = [Image.new("P", (800, 400), color) for color in (1, 2)]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    name = store("articles/moving.gif", buffer.getvalue())

    assert render_renditions(name) == {}


def test_rendition_urls_come_from_the_record_narrowest_first_without_touching_storage(media, monkeypatch):
    name = store("articles/2026/05/wide.jpg", image_bytes(2000, 1000, "JPEG"))
    # As a JSON field gives them back: the widths as text.
    recorded = {str(width): rendition for width, rendition in render_renditions(name).items()}
    monkeypatch.setattr(default_storage, "listdir", lambda *args: pytest.fail("storage was listed"))
    monkeypatch.setattr(default_storage, "exists", lambda *args: pytest.fail("storage was asked"))

    assert rendition_urls(recorded) == [
        (480, "/media/renditions/articles/2026/05/wide.jpg/480w.jpg"),
        (960, "/media/renditions/articles/2026/05/wide.jpg/960w.jpg"),
        (1600, "/media/renditions/articles/2026/05/wide.jpg/1600w.jpg"),
    ]


def test_renditions_of_another_image_are_told_apart_from_an_image_s_own(media):
    name = store("articles/a.jpg", image_bytes(1000, 500, "JPEG"))
    own = render_renditions(name)
    assert not renditions_of_another_image(name, own)
    assert not renditions_of_another_image(name, {})
    assert renditions_of_another_image("articles/b.jpg", own)
    assert original_of(own[480]) == name


def test_deleting_renditions_removes_their_files(media):
    name = store("articles/a.jpg", image_bytes(1000, 500, "JPEG"))
    renditions = render_renditions(name)
    delete_renditions(renditions)
    assert not any((media / rendition).exists() for rendition in renditions.values())
    assert (media / name).exists()


def test_rendition_urls_of_no_image_are_empty(media):
    assert rendition_urls({}) == []
    assert render_renditions("") == {}
