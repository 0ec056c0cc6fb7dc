"""Navigation, numbered pages, sharing and video in a real browser (Debian's chromium, headless), on a
phone (390 px) and a desktop (1280 px), under a strict Content Security Policy (scripts from our
own origin only, no inline script or handler; style attributes, which article bodies carry, allowed).
Screenshots go to artifacts/screenshots/."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests import factories
from tests.browser import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, SCREENSHOTS
from tests.test_browser_site import PIXEL, WIDTHS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    NEEDS_CHROMIUM,
]

STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' https: data:; "
    "frame-src https:; media-src https:; object-src 'none'; base-uri 'none'"
)
VIDEO_BODY = (
    "<p>发布会视频如下：</p>"
    '<iframe src="https://www.youtube.com/embed/sT7EGZQfB0k" width="560" height="315"></iframe>'
    "<p>现场另一段视频：</p>"
    '<iframe src="https://player.bilibili.com/player.html?bvid=1"></iframe>'
    "<p>微博上的视频：</p>"
    '<video src="//f.video.weibocdn.com/o0/BNjod899lx07SPTMhPsc01041204KljJ0E020.mp4?label=mp4_1080p'
    '&amp;template=1080x1920.24.0&amp;trans_finger=bdc4e9d79fca0fecbfd92de8e4ae13a7" width="640" height="480"></video>'
)


@pytest.fixture
def site():
    parent = factories.category_path("新媒体")
    section = factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")
    factories.category_path("新媒体", "cnBeta", "最新")
    factories.article("cnBeta 的新闻", category=factories.category_path("新媒体", "cnBeta", "最新"))
    editor = factories.author("雪花")
    start = timezone.now() - dt.timedelta(days=100)
    for number in range(95):
        factories.article(
            f"国产半固态电池完成低温测试 第{number + 1}篇",
            summary="在漠河进行的12天测试中，这套电池包在零下30℃停放一夜后仍可冷启动。",
            category=section,
            editor=editor,
            published_at=start + dt.timedelta(days=number),
        )
    video = factories.article(
        "新品发布会视频回顾",
        body=VIDEO_BODY + "<p>正文。</p>" * 40,
        category=section,
        editor=editor,
        lead_image_url="https://img1.mydrivers.com/img/20220115/lead.png",
        published_at=timezone.now() - dt.timedelta(hours=1),
    )
    video.tags.add("发布会")
    return {"parent": parent, "section": section, "video": video}


def browse(live_server, check):
    """Run ``check(page, width_name)`` at both widths, under a strict CSP; return the problems seen."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    def with_policy(route):
        response = route.fetch()
        route.fulfill(
            response=response, headers=response.headers | {"content-security-policy": STRICT_POLICY}
        )

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for width_name, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
                context.route(
                    lambda url: not url.startswith(live_server.url),
                    lambda route: route.fulfill(status=200, content_type="image/png", body=PIXEL),
                )
                context.route(lambda url: url.startswith(live_server.url), with_policy)
                page = context.new_page()
                page.on("console", lambda message: message.type == "error" and problems.append(message.text))
                page.on("pageerror", lambda error: problems.append(str(error)))
                check(page, width_name)
                context.close()
        finally:
            browser.close()
    return problems


def no_sideways_scrolling(page, where):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{where} is {overflow}px too wide"


def test_sections_sub_sections_and_the_archive_are_a_click_away(site, live_server):
    def check(page, width_name):
        page.goto(live_server.url + site["parent"].get_absolute_url())
        subsections = page.locator("nav.subsections a")
        assert subsections.all_inner_texts() == ["cnBeta", "快科技（原驱动之家）"]
        no_sideways_scrolling(page, "category page")
        page.screenshot(path=str(SCREENSHOTS / f"navigation-category-{width_name}.png"), full_page=True)
        subsections.filter(has_text="快科技").click()
        page.wait_for_url(re.compile(r"/category/xin-mei-ti/kuai-ke-ji"))
        assert page.locator("nav.breadcrumb a").all_inner_texts() == ["新媒体", "快科技（原驱动之家）"]

        page.locator("footer.site-footer").get_by_role("link", name="归档").click()
        page.wait_for_url(re.compile(r"/archive/$"))
        assert page.locator("main h1").inner_text() == "归档"
        months = page.locator(".archive-year li a")
        assert months.count() >= 4
        no_sideways_scrolling(page, "archive index")
        page.screenshot(path=str(SCREENSHOTS / f"navigation-archive-{width_name}.png"), full_page=True)
        first_month = months.first
        label = first_month.inner_text()
        first_month.click()
        page.wait_for_url(re.compile(r"/archive/\d{4}/\d{2}/$"))
        assert page.locator("main h1").inner_text() == label

    assert browse(live_server, check) == []


def test_numbered_pages_lead_to_the_first_the_last_and_around(site, live_server):
    def check(page, width_name):
        page.goto(live_server.url + site["section"].get_absolute_url() + "?page=3")
        numbers = page.locator("nav.pagination ol li")
        assert [text.strip() for text in numbers.all_inner_texts()] == ["1", "2", "3", "4", "5"]
        assert page.locator('nav.pagination [aria-current="page"]').inner_text() == "3"
        no_sideways_scrolling(page, "page 3")
        page.locator("nav.pagination").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"pagination-{width_name}.png"), full_page=True)
        page.locator("nav.pagination ol a", has_text="5").click()
        page.wait_for_url(re.compile(r"\?page=5$"))
        assert page.locator('nav.pagination [aria-current="page"]').inner_text() == "5"
        assert page.locator('nav.pagination a[rel="next"]').count() == 0
        page.locator('nav.pagination a[rel="prev"]').click()
        page.wait_for_url(re.compile(r"\?page=4$"))

    assert browse(live_server, check) == []


def test_share_copies_the_link_and_shows_a_wechat_code(site, live_server):
    article = site["video"]

    def check(page, width_name):
        page.goto(live_server.url + article.get_absolute_url())
        copy = page.get_by_role("button", name="复制链接")
        assert copy.is_visible(), "the copy button is shown by our script, allowed by the policy"
        copy.click()
        # Waited for with locators: wait_for_function evaluates strings, which the policy forbids.
        expect = pytest.importorskip("playwright.sync_api").expect
        expect(page.locator("button.copy-link")).to_have_text("链接已复制")
        assert page.evaluate("navigator.clipboard.readText()") == live_server.url + article.get_absolute_url()
        weibo = page.get_by_role("link", name="微博")
        assert weibo.get_attribute("href").startswith("https://service.weibo.com/share/share.php?url=")
        page.locator("details.share-wechat summary").click()
        code = page.locator("details.share-wechat img")
        code.scroll_into_view_if_needed()
        expect(code).to_have_js_property("complete", True)
        assert code.evaluate("image => image.naturalWidth") > 0
        assert code.bounding_box()["width"] >= 120
        assert page.locator(".reading-time").inner_text().endswith("分钟读完")
        no_sideways_scrolling(page, "article")
        page.locator("section.share").screenshot(path=str(SCREENSHOTS / f"share-{width_name}.png"))

    assert browse(live_server, check) == []


def test_videos_fill_the_column_and_others_are_labelled_links(site, live_server):
    article = site["video"]

    def check(page, width_name):
        page.goto(live_server.url + article.get_absolute_url())
        body_width = page.locator(".article .body").bounding_box()["width"]
        youtube, bilibili = page.locator(".article .body iframe").all()
        for frame, ratio in ((youtube, 315 / 560), (bilibili, 9 / 16)):
            box = frame.bounding_box()
            assert abs(box["width"] - body_width) <= 1, (box, body_width)
            assert abs(box["height"] - box["width"] * ratio) <= 2, box
            assert (box["width"], box["height"]) != (300, 150)
        link = page.get_by_role("link", name="视频：f.video.weibocdn.com")
        assert link.get_attribute("href").startswith("https://f.video.weibocdn.com/")
        no_sideways_scrolling(page, "article with video")
        youtube.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"video-{width_name}.png"))

    assert browse(live_server, check) == []
