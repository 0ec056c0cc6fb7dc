"""A newsroom's day in a real headless browser, in Chinese: a writer and an editor at work.

Runs Debian's chromium (``apt-get install chromium``) through Playwright against a live test
server. Screenshots of each step are saved in ``artifacts/screenshots/``; ``admin-home.png``,
``admin-change-list.png`` and ``admin-edit-page.png`` are the admin at 1280 px.
"""

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from articles.models import Article, Author, Autosave, MediaImage
from tests import factories
from tests.admin_forms import editor as editor_account
from tests.admin_forms import writer as writer_account
from tests.browser import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, SCREENSHOTS
from tests.documents import SEEDS_DIR

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]
PASSWORD = "a-long-test-password"
VIEWPORT = {"width": 1280, "height": 900}
IMPORTED = (
    SEEDS_DIR
    / "新媒体"
    / "快科技（原驱动之家）"
    / "最新新闻"
    / "高校食堂上线刷脸称重自助餐 学生：排队时间少了一半.md"
)
# A 1×1 PNG for every remote image: the test machine has no network.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


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


def jpeg_bytes(colour=(30, 90, 160)) -> bytes:
    image = Image.new("RGB", (1280, 720), colour)
    for x in range(0, 1280, 80):
        image.paste((240, 200, 40), (x, 300, x + 40, 420))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def photo(path: Path) -> Path:
    path.write_bytes(jpeg_bytes())
    return path


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def person(account, family: str, given: str):
    account.last_name, account.first_name = family, given
    account.set_password(PASSWORD)
    account.save()
    return account


def new_page(browser, site, console=None):
    """A page in a fresh context, in Chinese, in Shanghai; remote images answer with a pixel."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.route(
        lambda url: not url.startswith(site),
        lambda route: route.fulfill(status=200, content_type="image/png", body=PIXEL),
    )
    page = context.new_page()
    if console is not None:
        page.on("console", lambda message: console.append(message.text))
    return page


def log_in(page, site, username):
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")


def save_and_continue(page):
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")


def pick_category(page, text, name):
    page.locator("#id_category").locator("xpath=..").locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=name).click()


@pytest.mark.django_db(transaction=True)
def test_an_editor_writes_illustrates_previews_and_publishes_and_a_reader_sees_it(browser, site, tmp_path):
    person(editor_account("zhangbian"), "张", "三")
    factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")
    console = []
    editor = new_page(browser, site, console)
    log_in(editor, site, "zhangbian")

    editor.goto(f"{site}/admin/articles/article/add/")
    editor.fill("#id_title", "国产半固态电池完成低温测试")
    body = editor.locator(".prose-editor [contenteditable=true]").first
    body.click()
    body.press_sequentially("零下30℃冷启动测试顺利完成。")
    body.press("Enter")
    body.press_sequentially("续航衰减不到15%。")
    pick_category(editor, "最新", "最新新闻")
    editor.set_input_files("#id_lead_image", str(photo(tmp_path / "battery.jpg")))
    editor.fill("#id_lead_image_caption", "测试现场")
    editor.fill("#id_lead_image_credit", "摄影：李四")
    shot(editor, "1-editor-writes")
    # The admin is served with a strict Content-Security-Policy: nothing above may have been refused.
    assert "script-src 'self'" in editor.evaluate(
        "() => fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )
    save_and_continue(editor)

    article = Article.objects.get(title="国产半固态电池完成低温测试")
    assert article.status == Article.Status.DRAFT
    assert article.body == "<p>零下30℃冷启动测试顺利完成。</p><p>续航衰减不到15%。</p>"
    assert article.category.name == "最新新闻" and article.lead_image
    assert [byline.author.name for byline in article.bylines.all()] == ["张三"]
    shot(editor, "2-saved-draft")

    preview = editor.context.new_page()  # the editor's own session
    preview.goto(site + editor.locator("a.preview-staff").get_attribute("href"))
    assert preview.locator("article h1").inner_text() == "国产半固态电池完成低温测试"
    assert "续航衰减不到15%" in preview.locator(".body").inner_text()
    shot(preview, "3-preview")

    editor.select_option("#id_status", "published")
    save_and_continue(editor)
    shot(editor, "4-published")
    article.refresh_from_db()
    assert article.is_published
    editor.goto(f"{site}/admin/articles/article/")
    row = editor.locator("#result_list tbody tr", has_text="国产半固态电池完成低温测试")
    assert row.locator(".status-published").count() == 1
    assert row.locator("img").evaluate("image => image.naturalWidth") == 480  # the smallest rendition
    shot(editor, "5-change-list")

    reader = new_page(browser, site)
    reader.goto(f"{site}{article.get_absolute_url()}")
    assert reader.locator("article h1").inner_text() == "国产半固态电池完成低温测试"
    lead = reader.locator("figure.lead img")
    lead.scroll_into_view_if_needed()
    reader.wait_for_function("document.querySelector('figure.lead img').complete")
    assert reader.evaluate("document.querySelector('figure.lead img').naturalWidth") > 0
    assert "/media/" in reader.evaluate("document.querySelector('figure.lead img').currentSrc")
    shot(reader, "6-reader-sees-it")
    assert not [text for text in console if "Content Security Policy" in text], console


@pytest.mark.django_db(transaction=True)
def test_a_writer_and_an_editor_go_through_the_whole_day_in_chinese(browser, site):
    # --- the newsroom: two people, a section, a picture in the library, an import, a draft ---
    writer = person(writer_account("lijizhe"), "李", "四")
    editor_user = person(editor_account("zhangbian"), "张", "三")
    factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")
    picture = MediaImage(
        alt_text="低温测试现场的电池组", caption="低温测试", credit="摄影：李四", uploaded_by=editor_user
    )
    picture.file.save("battery.jpg", ContentFile(jpeg_bytes()))
    picture.refresh_renditions(file_changed=True)
    call_command("import_seeds", str(IMPORTED), workers=1, verbosity=0)
    imported = Article.objects.get(import_key__isnull=False)
    interview = factories.article("明早发布的专访", published=False, body="<p>专访全文。</p>")
    console: list[str] = []

    # --- the writer writes: heading, quote, a picture from the library, a video, autosave ---
    desk = new_page(browser, site, console)
    log_in(desk, site, "lijizhe")
    assert "我的草稿" in desk.inner_text("#desk-drafts h2") and "你的角色：记者" in desk.inner_text(".desk")
    shot(desk, "day-01-writer-desk")
    desk.click("text=写新文章")
    body = desk.locator(".prose-editor [contenteditable=true]").first
    body.wait_for()
    desk.fill("#id_title", "国产半固态电池完成零下30℃冷启动测试")
    pick_category(desk, "最新", "最新新闻")
    body.click()
    body.press_sequentially("零下30℃冷启动测试顺利完成。")
    body.press("Enter")
    body.press_sequentially("## 测试结果")
    body.press("Enter")
    body.press_sequentially("> 续航衰减不到15%。")
    body.press("Enter")
    body.press("Enter")
    desk.click('.prose-menubar button[title="插入图片"]')
    with desk.expect_popup() as opened:
        desk.click("dialog[open] button:has-text('从媒体库选择')")
    library = opened.value
    library.wait_for_selector("[data-pick]")
    shot(library, "day-02-media-library")
    try:
        library.click("[data-pick]")
    except PlaywrightError:
        pass  # the picker closes itself once a picture is picked, at times before the click returns
    assert desk.input_value("dialog[open] input[name=altText]") == "低温测试现场的电池组"
    desk.click("dialog[open] button[type=submit]")
    desk.click('.prose-menubar button[title="嵌入视频"]')
    desk.fill("dialog[open] input[name=src]", "https://www.bilibili.com/video/BV1xx411c7mD")
    desk.click("dialog[open] button[type=submit]")
    assert int(desk.locator(".newsroom-word-count").get_attribute("data-words")) >= 23
    # Waited for without running a script in the page: the admin's policy forbids eval.
    desk.locator("#autosave-status", has_text="自动保存").wait_for()
    assert "测试结果" in Autosave.objects.get(user=writer, article=None).body
    # Leaving with unsaved text asks first.
    dialogs = []
    desk.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    desk.click(".breadcrumbs a >> nth=0")
    desk.wait_for_timeout(300)
    assert dialogs == ["beforeunload"] and desk.url.endswith("/add/")
    shot(desk, "day-03-writer-writes")
    save_and_continue(desk)

    story = Article.objects.get(title="国产半固态电池完成零下30℃冷启动测试")
    assert "<h2>测试结果</h2>" in story.body and "<blockquote>" in story.body
    assert f'<figure><img src="/media/{picture.renditions["960"]}" alt="低温测试现场的电池组">' in story.body
    assert "<figcaption>低温测试 摄影：李四</figcaption>" in story.body
    assert 'src="https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"' in story.body
    assert [byline.author for byline in story.bylines.all()] == [Author.objects.get(user=writer)]
    assert not Autosave.objects.filter(user=writer).exists()
    desk.select_option("#id_status", "review")
    save_and_continue(desk)
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW

    # --- the editor reviews from the queue and publishes ---
    editor = new_page(browser, site, console)
    log_in(editor, site, "zhangbian")
    assert editor.locator("#desk-review li", has_text=story.title).count() == 1
    shot(editor, "admin-home")
    editor.click(f"#desk-review a:has-text('{story.title}')")
    editor.locator(".prose-editor [contenteditable=true] figure img").wait_for()
    shot(editor, "admin-edit-page")
    editor.select_option("#id_status", "published")
    save_and_continue(editor)
    story.refresh_from_db()
    assert story.is_published
    reader = new_page(browser, site)
    reader.goto(site + story.get_absolute_url())
    figure = reader.locator(".body figure img")
    figure.scroll_into_view_if_needed()
    reader.wait_for_function("document.querySelector('.body figure img').complete")
    assert reader.evaluate("document.querySelector('.body figure img').naturalWidth") == 960
    assert reader.locator(".body iframe[sandbox]").count() == 1
    shot(reader, "day-04-reader-reads")
    editor.goto(f"{site}/admin/articles/article/")
    shot(editor, "admin-change-list")

    # --- a share link for the interview, then revoked ---
    editor.goto(f"{site}/admin/articles/article/{interview.pk}/change/")
    editor.click(".object-tools a:has-text('分享链接')")
    editor.click("input[name=share]")
    link = editor.input_value("#live-links .share-address")
    colleague = new_page(browser, site)
    colleague.goto(link)
    assert colleague.locator("article h1").inner_text() == "明早发布的专访"
    shot(editor, "day-05-share-link")
    editor.click("#live-links button[name=revoke]")
    editor.wait_for_selector(".messagelist li")
    colleague.goto(link)
    assert "这个预览链接已过期" in colleague.inner_text("main")
    shot(colleague, "day-06-revoked-link")

    # --- the interview is scheduled for tomorrow morning ---
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    editor.goto(f"{site}/admin/articles/article/{interview.pk}/change/")
    editor.select_option("#id_status", "published")
    editor.fill("#id_published_at_0", tomorrow.strftime("%Y-%m-%d"))
    editor.fill("#id_published_at_1", "08:00:00")
    save_and_continue(editor)
    interview.refresh_from_db()
    assert interview.is_scheduled
    editor.goto(f"{site}/admin/")
    assert editor.locator("#desk-scheduled li", has_text="明早发布的专访").count() == 1
    shot(editor, "day-07-scheduled")

    # --- the story is renamed; an older revision is restored; every live address keeps working ---
    first_address = story.get_absolute_url()
    editor.goto(f"{site}/admin/articles/article/{story.pk}/change/")
    editor.fill("#id_title", "国产半固态电池通过零下30℃测试")
    editor.fill("#id_slug", "ban-gu-tai-dian-chi-tong-guo-ce-shi")
    save_and_continue(editor)
    story.refresh_from_db()
    renamed_address = story.get_absolute_url()
    reader.goto(site + first_address)
    assert reader.url == site + renamed_address
    shot(editor, "day-08-renamed")
    editor.click(".object-tools a.historylink")
    editor.locator("#change-history tbody tr").nth(1).locator("a").click()  # the version before the rename
    assert editor.input_value("#id_title") == "国产半固态电池完成零下30℃冷启动测试"
    assert editor.input_value("#id_status") == "published"
    shot(editor, "day-09-restore")
    editor.click("input[name=_save]")
    editor.wait_for_selector(".messagelist .success")
    story.refresh_from_db()
    assert (story.title, story.status) == ("国产半固态电池完成零下30℃冷启动测试", Article.Status.PUBLISHED)
    reader.goto(site + first_address)
    assert reader.locator("article h1").inner_text() == "国产半固态电池完成零下30℃冷启动测试"
    reader.goto(site + renamed_address)
    assert reader.url == site + first_address

    # --- an imported article is found by a word of its body, deleted, and recovered from the trash ---
    editor.goto(f"{site}/admin/articles/article/")
    editor.fill("#searchbar", "食堂")
    editor.press("#searchbar", "Enter")
    editor.locator("#result_list a", has_text=imported.title).click()
    editor.click("a.deletelink")
    editor.click("input[type=submit]")  # 是的，移到回收站
    editor.wait_for_selector(".messagelist .success")
    reader.goto(site + imported.get_absolute_url())
    assert reader.locator("article h1").count() == 0
    editor.click(".object-tools a:has-text('回收站')")
    row = editor.locator("#result_list tbody tr", has_text=imported.title)
    row.locator("input.action-select").check()
    shot(editor, "day-10-trash")
    editor.select_option("select[name=action]", "restore_selected")
    editor.click("button[name=index]")
    editor.wait_for_selector(".messagelist li")
    reader.goto(site + imported.get_absolute_url())
    assert reader.locator("article h1").inner_text() == imported.title
    shot(reader, "day-11-recovered")
    imported.refresh_from_db()
    assert imported.is_published and imported.tags.exists()

    assert not [text for text in console if "Content Security Policy" in text], console
