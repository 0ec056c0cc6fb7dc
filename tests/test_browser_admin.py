"""End to end in a real headless browser: an editor writes, illustrates, previews and publishes; a reader reads.

Runs Debian's chromium (``apt-get install chromium``) through Playwright against a
live test server. Screenshots of each step are saved in ``artifacts/screenshots/``.
"""

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from articles.models import Article
from tests import factories
from tests.admin_forms import editor as editor_account
from tests.browser import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]


@pytest.fixture
def browser(monkeypatch):
    """A headless chromium; Django calls from the test thread are allowed while Playwright's loop runs."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server, settings, tmp_path):
    settings.ROOT_URLCONF = "tests.browser_urls"
    settings.MEDIA_ROOT = tmp_path / "media"
    yield live_server.url
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


def photo(path: Path) -> Path:
    image = Image.new("RGB", (1280, 720), (30, 90, 160))
    for x in range(0, 1280, 80):
        image.paste((240, 200, 40), (x, 300, x + 40, 420))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_editor_writes_illustrates_previews_and_publishes_and_a_reader_sees_it(browser, site, tmp_path):
    user = editor_account("zhangbian")
    user.set_password("a-long-test-password")
    user.save()
    factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")

    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    console = []
    editor.on("console", lambda message: console.append(message.text))
    editor.goto(f"{site}/admin/login/")
    editor.fill("#id_username", "zhangbian")
    editor.fill("#id_password", "a-long-test-password")
    editor.click("input[type=submit]")
    editor.wait_for_url(f"{site}/admin/")

    editor.goto(f"{site}/admin/articles/article/add/")
    editor.fill("#id_title", "国产半固态电池完成低温测试")
    body = editor.locator(".prose-editor [contenteditable=true]").first
    body.click()
    body.press_sequentially("零下30℃冷启动测试顺利完成。")
    body.press("Enter")
    body.press_sequentially("续航衰减不到15%。")
    editor.locator("#id_category").locator("xpath=..").locator(".select2-selection").click()
    editor.locator(".select2-container--open .select2-search__field").fill("最新")
    editor.locator(".select2-results__option", has_text="最新新闻").click()
    editor.set_input_files("#id_lead_image", str(photo(tmp_path / "battery.jpg")))
    editor.fill("#id_lead_image_caption", "测试现场")
    editor.fill("#id_lead_image_credit", "摄影：李四")
    shot(editor, "1-editor-writes")
    # The admin is served with a strict Content-Security-Policy: nothing above may have been refused.
    assert "script-src 'self'" in editor.evaluate(
        "() => fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )
    assert not [text for text in console if "Content Security Policy" in text], console
    editor.click("input[name=_continue]")
    editor.wait_for_selector(".messagelist .success")

    article = Article.objects.get(title="国产半固态电池完成低温测试")
    assert article.status == Article.Status.DRAFT
    assert article.body == "<p>零下30℃冷启动测试顺利完成。</p><p>续航衰减不到15%。</p>"
    assert article.category.name == "最新新闻" and article.lead_image
    shot(editor, "2-saved-draft")

    preview = editor.context.new_page()  # the editor's own session
    preview.goto(site + editor.locator("a.preview-staff").get_attribute("href"))
    assert preview.locator("article h1").inner_text() == "国产半固态电池完成低温测试"
    assert "续航衰减不到15%" in preview.locator(".body").inner_text()
    shot(preview, "3-preview")
    colleague = browser.new_context().new_page()  # not logged in, holding the shared link
    colleague.goto(site + editor.locator("a.preview-shared").get_attribute("href"))
    assert colleague.locator("article h1").inner_text() == "国产半固态电池完成低温测试"
    colleague.goto(f"{site}{article.get_absolute_url()}")
    assert colleague.locator("article h1").count() == 0  # not published yet

    editor.select_option("#id_status", "published")
    editor.click("input[name=_continue]")
    editor.wait_for_selector(".messagelist .success")
    shot(editor, "4-published")
    article.refresh_from_db()
    assert article.is_published
    editor.goto(f"{site}/admin/articles/article/")
    row = editor.locator("#result_list tbody tr", has_text="国产半固态电池完成低温测试")
    assert row.locator(".status-published").count() == 1
    assert row.locator("img").evaluate("image => image.naturalWidth") == 480  # the smallest rendition
    shot(editor, "5-change-list")

    reader = browser.new_context().new_page()
    reader.goto(f"{site}{article.get_absolute_url()}")
    assert reader.locator("article h1").inner_text() == "国产半固态电池完成低温测试"
    assert "零下30℃冷启动测试顺利完成" in reader.locator(".body").inner_text()
    lead = reader.locator("figure.lead img")
    lead.scroll_into_view_if_needed()
    lead.wait_for()
    # The browser picks the original or a rendition from the srcset (naturalWidth is then scaled to
    # the slot): either way a real image loaded from our media.
    reader.wait_for_function("document.querySelector('figure.lead img').complete")
    assert reader.evaluate("document.querySelector('figure.lead img').naturalWidth") > 0
    assert "/media/" in reader.evaluate("document.querySelector('figure.lead img').currentSrc")
    shot(reader, "6-reader-sees-it")
