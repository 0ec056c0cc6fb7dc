"""Hostile bodies and addresses, saved or written around save(), run no script in a real browser."""

import pytest

from articles.models import Article
from tests import factories
from tests.attacks import HOSTILE_URLS
from tests.browser import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), NEEDS_CHROMIUM]

HOSTILE_BODY = "".join(
    [
        "<p>正文</p><script>alert(1)</script>",
        '<img src="x" onerror="alert(2)"><svg onload="alert(3)"></svg>',
        '<a id="click-me" href="jav&#x09;ascript:alert(4)">点我</a>',
        '<iframe src="https://evil.example\\@www.youtube.com/x"></iframe>',
        '<iframe src="javascript:alert(5)"></iframe><iframe srcdoc="<script>alert(6)</script>"></iframe>',
        '<p style="background-color: url(javascript:alert(7))">x</p>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(8)></style></mglyph></table></mtext></math>",
        "<noembed><img src=x onerror=alert(9)></noembed><xmp><img src=x onerror=alert(10)></xmp>",
        '<form><button formaction="javascript:alert(11)">提交</button></form>',
        '<script type="importmap">{"imports": {"x": "data:text/javascript,alert(12)"}}</script>',
        '<object data="data:text/html,<script>alert(13)</script>"></object>',
        '<video poster="javascript:alert(14)" src="https://www.youtube.com/x"></video>',
    ]
)


@pytest.fixture
def hostile_pages():
    saved = factories.article("保存的恶意文章", body=HOSTILE_BODY, summary="摘要")
    bypassed = factories.article("绕过保存的恶意文章", body="<p>原文</p>", summary="摘要", source_name="来源")
    Article.objects.filter(pk=bypassed.pk).update(
        body=HOSTILE_BODY,
        source_url=HOSTILE_URLS[3],
        lead_image_url="javascript:alert(15)",
        thumbnail_url="javascript:alert(16)",
    )
    return [saved.get_absolute_url(), bypassed.get_absolute_url(), "/", "/search/?q=恶意"]


def test_no_hostile_input_runs_script_in_the_browser(hostile_pages, live_server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for number, address in enumerate(hostile_pages):
                page.goto(live_server.url + address)
                page.wait_for_load_state("load")
                for link in page.locator("main a").all():
                    href = link.get_attribute("href") or ""
                    assert not href.lower().replace("\t", "").startswith(("javascript:", "data:")), href
                page.screenshot(path=str(SCREENSHOTS / f"xss-{number}.png"), full_page=True)
            page.goto(live_server.url + hostile_pages[0])
            page.locator("#click-me, main a:has-text('点我')").first.click(timeout=2000)
        finally:
            browser.close()
    assert dialogs == []
