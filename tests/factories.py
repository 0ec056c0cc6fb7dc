"""Small helpers that make rows for tests."""

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Category, Tag


def category_path(*names: str) -> Category:
    """Return the last category of the hierarchy ``names``, creating each level."""
    parent = None
    for name in names:
        parent, _ = Category.objects.get_or_create(parent=parent, name=name)
    return parent


def article(title: str = "测试文章", *, published: bool = True, days_ago: float = 1, **fields) -> Article:
    """Return a saved article, published ``days_ago`` days ago unless told otherwise."""
    if published:
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - dt.timedelta(days=days_ago))
    return Article.objects.create(title=title, **fields)


def jpeg(size: tuple[int, int] = (1200, 800), colour=(20, 120, 200)) -> bytes:
    """Return the bytes of a JPEG picture of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def article_with_lead_image(title: str = "有图", size: tuple[int, int] = (1200, 800)) -> Article:
    """Return a published article with an uploaded lead image and its renditions (in MEDIA_ROOT)."""
    made = article(title)
    made.lead_image.save("lead.jpg", ContentFile(jpeg(size)))
    made.refresh_lead_image_renditions(image_changed=True)
    return made


def author(name: str = "张三", kind: str = Author.Kind.PERSON) -> Author:
    return Author.objects.get_or_create(name=name, kind=kind)[0]


def wipe_content() -> None:
    """Delete every article, author, tag and category (children before parents: parents are protected)."""
    Article.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    for category in Category.objects.order_by("-depth"):
        category.delete()
