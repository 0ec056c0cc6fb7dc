"""The reader site in a real browser (Debian's chromium, headless): no console errors (so no Content
Security Policy violations either), phone and desktop."""

import pytest

from tests import factories
from tests.browser import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, SCREENSHOTS

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# A 1×1 transparent PNG served in place of every remote image: the test machine has no network.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    NEEDS_CHROMIUM,
]


@pytest.fixture
def site():
    section = factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")
    article = None
    for number in range(8):
        article = factories.article(
            f"阿里张勇连线300家平台商家 第{number}篇",
            summary="张勇表示，平台将继续投入，帮助商家渡过难关。",
            # Under the pages' Content Security Policy: a kept style attribute and an embed.
            body="<p>正文第一段，讲述了事情的经过。</p>" * 6
            + '<p style="text-align: center;">居中</p>'
            + '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315"></iframe>',
            category=section,
            lead_image_url="https://img1.mydrivers.com/img/20220115/lead.png",
            thumbnail_url="https://img1.mydrivers.com/img/20220115/thumb.png",
            is_featured=number < 2,
            editor=factories.author("雪花"),
            days_ago=number + 1,
        )
        article.tags.add("阿里巴巴", "张勇")
        article.bylines.create(author=factories.author("快科技", kind="organisation"))
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "category": section.get_absolute_url(),
        "tag": "/tag/a-li-ba-ba/",
        "search": "/search/?q=张勇",
    }


def test_pages_render_without_console_errors(site, live_server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for width_name, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                context.route(
                    lambda url: not url.startswith(live_server.url),
                    lambda route: route.fulfill(status=200, content_type="image/png", body=PIXEL),
                )
                page = context.new_page()
                page.on("console", lambda message: message.type == "error" and problems.append(message.text))
                page.on("pageerror", lambda error: problems.append(str(error)))
                for name, address in site.items():
                    response = page.goto(live_server.url + address)
                    assert response.status == 200, address
                    page.wait_for_load_state("load")
                    assert page.locator("main h1").count() >= 1, address
                    # No horizontal scrolling on a phone.
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, f"{address} is {overflow}px too wide at {width_name}"
                    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width_name}.png"), full_page=True)
                # Keyboard users land on the skip link first, and it leads to the main content.
                page.goto(live_server.url + site["article"])
                page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.className") == "skip-link"
                context.close()
        finally:
            browser.close()
    assert problems == []
