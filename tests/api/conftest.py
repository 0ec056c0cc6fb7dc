"""A small newsroom for the Content API's tests: sections, people, tags, and articles in every state."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from articles import roles
from articles.cache import invalidation
from articles.models import Article
from tests import factories
from tests.admin_forms import staff_user


@pytest.fixture
def newsroom(db):
    """Three published articles (one featured, in a sub-category), and a draft, one in review, an
    archived and a scheduled one that readers must not see."""
    tech = factories.category_path("科技")
    phones = factories.category_path("科技", "手机")
    finance = factories.category_path("财经")
    zhang, li = factories.author("张三"), factories.author("李四")
    agency = factories.author("新华社", kind="organisation")
    desk = factories.author("王编辑")
    phone = factories.article(
        "华为发布新手机",
        category=phones,
        days_ago=1,
        subtitle="折叠屏",
        summary="华为今天发布了新款手机。",
        body="<p>华为在深圳发布新款折叠屏手机，张勇出席。</p>",
        is_featured=True,
        editor=desk,
        source_name="新浪科技",
        source_url="https://tech.sina.com.cn/doc.shtml",
        lead_image_url="https://img.example.com/lead.jpg",
        lead_image_caption="发布会现场",
        credits="作者：张三",
        rights_notice="本文由新浪科技原创发布",
    )
    phone.tags.add("华为", "手机")
    phone.bylines.create(author=zhang, position=0)
    phone.bylines.create(author=agency, position=1)
    chip = factories.article("芯片产业新进展", category=tech, days_ago=2, body="<p>国产芯片。</p>")
    chip.tags.add("芯片")
    chip.bylines.create(author=li)
    market = factories.article("股市收盘", category=finance, days_ago=3, body="<p>沪指上涨。</p>")
    market.bylines.create(author=li)
    draft = factories.article("草稿文章", published=False, category=tech)
    draft.tags.add("秘密标签")
    draft.bylines.create(author=factories.author("未发表作者"))
    review = factories.article("待审文章", published=False, status=Article.Status.REVIEW, category=tech)
    archived = factories.article(
        "归档文章", status=Article.Status.ARCHIVED, published_at=timezone.now() - dt.timedelta(days=9)
    )
    scheduled = factories.article(
        "定时文章",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() + dt.timedelta(hours=1),
        category=tech,
    )
    return SimpleNamespace(
        tech=tech,
        phones=phones,
        finance=finance,
        zhang=zhang,
        li=li,
        agency=agency,
        desk=desk,
        phone=phone,
        chip=chip,
        market=market,
        draft=draft,
        review=review,
        archived=archived,
        scheduled=scheduled,
        hidden=[draft, review, archived, scheduled],
    )


@pytest.fixture
def editor(db):
    return staff_user("editor", roles.EDITOR)


@pytest.fixture
def writer(db):
    return staff_user("writer", roles.WRITER)


@pytest.fixture
def token_header():
    """Return the Authorization header of a new API token for a user."""

    def header(user) -> dict:
        return {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    return header


@pytest.fixture
def no_page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def warm_epoch():
    """Read the purge log now, as the first request after a change does for every other one."""

    def warm():
        invalidation.freshness.sync_if_due()

    return warm


def titles(response) -> list[str]:
    """Return the titles of a list answer, in order."""
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]
