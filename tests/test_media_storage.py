"""Media on S3-compatible object storage (NEWSROOM_MEDIA_STORAGE=s3): the settings wiring, and
the image pipeline against a real S3 API served on 127.0.0.1 by moto's server."""

from __future__ import annotations

import socket

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from articles.images import render_renditions, rendition_urls
from tests import factories
from tests.test_settings import manage

S3_ENVIRONMENT = {
    "NEWSROOM_MEDIA_STORAGE": "s3",
    "NEWSROOM_S3_BUCKET": "newsroom-media",
    "NEWSROOM_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    "NEWSROOM_S3_REGION": "cn-north-1",
    "NEWSROOM_S3_ADDRESSING_STYLE": "path",
    "NEWSROOM_S3_CUSTOM_DOMAIN": "media.example.com",
}
DESCRIBE_STORAGE = (
    "from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.region_name, s.addressing_style, "
    "s.querystring_auth, s.file_overwrite, s.url('articles/2026/a.jpg'))"
)


def test_local_files_are_the_default():
    result = manage(
        "shell",
        "-c",
        "from django.core.files.storage import storages; print(type(storages['default']).__name__)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "FileSystemStorage"


def test_s3_settings_reach_the_storage():
    result = manage("shell", "-c", DESCRIBE_STORAGE, **S3_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "S3Storage",
        "newsroom-media",
        "http://127.0.0.1:9000",
        "cn-north-1",
        "path",
        "False",
        "False",
        "https://media.example.com/media/articles/2026/a.jpg",
    ]


def test_s3_without_a_bucket_is_refused():
    result = manage("check", NEWSROOM_MEDIA_STORAGE="s3")
    assert result.returncode != 0
    assert "NEWSROOM_S3_BUCKET is required when NEWSROOM_MEDIA_STORAGE=s3" in result.stderr


def test_an_unknown_media_storage_is_refused():
    result = manage("check", NEWSROOM_MEDIA_STORAGE="ftp")
    assert result.returncode != 0
    assert "NEWSROOM_MEDIA_STORAGE must be local or s3" in result.stderr


@pytest.fixture
def s3_bucket(settings, monkeypatch):
    """An S3 API on 127.0.0.1 (moto's server) with an empty bucket, as the default storage."""
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "newsroom-test",
        "AWS_SECRET_ACCESS_KEY": "newsroom-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="newsroom-media")
    settings.STORAGES = settings.STORAGES | {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "newsroom-media",
                "endpoint_url": endpoint,
                "addressing_style": "path",
                "location": "media",
                "custom_domain": "media.example.com",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        }
    }
    yield client
    server.stop()


def test_an_image_and_its_renditions_are_stored_in_the_bucket_and_linked_on_the_media_host(s3_bucket):
    picture = factories.jpeg(colour="steelblue")
    name = default_storage.save("articles/2026/12/lead.jpg", ContentFile(picture))
    # Never replaces a file of the same name, as local files do not.
    second = default_storage.save("articles/2026/12/lead.jpg", ContentFile(picture))
    assert second != name

    renditions = render_renditions(name)

    assert sorted(renditions) == [480, 960, 1200]
    stored = {item["Key"] for item in s3_bucket.list_objects_v2(Bucket="newsroom-media")["Contents"]}
    assert {f"media/{name}", f"media/{second}"} | {f"media/{path}" for path in renditions.values()} == stored
    assert rendition_urls(renditions) == [
        (width, f"https://media.example.com/media/{renditions[width]}") for width in (480, 960, 1200)
    ]
    head = s3_bucket.head_object(Bucket="newsroom-media", Key=f"media/{renditions[480]}")
    assert head["ContentType"] == "image/jpeg"
