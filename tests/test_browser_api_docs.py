"""The Content API's documentation page in a real browser: Swagger UI from our own static files, and a
request tried from it."""

import pytest

from tests import factories
from tests.browser import CHROMIUM, CHROMIUM_ARGS, NEEDS_CHROMIUM, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), NEEDS_CHROMIUM]


def test_the_documentation_page_works_offline_and_tries_a_request(live_server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    factories.article("接口文档里的文章")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    elsewhere: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            # Nothing may come from another origin (a CDN): record and refuse it.
            context.route(
                lambda url: not url.startswith(live_server.url),
                lambda route: (elsewhere.append(route.request.url), route.abort()),
            )
            page = context.new_page()
            page.on("console", lambda message: message.type == "error" and problems.append(message.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            assert page.goto(live_server.url + "/api/v1/docs/").status == 200
            page.wait_for_selector("#operations-articles-articles_list", timeout=20_000)
            assert page.locator(".opblock").count() >= 10
            page.screenshot(path=str(SCREENSHOTS / "api-docs.png"), full_page=False)
            page.click("#operations-articles-articles_list .opblock-summary")
            page.click("#operations-articles-articles_list button.try-out__btn")
            page.click("#operations-articles-articles_list button.execute")
            page.wait_for_selector("#operations-articles-articles_list .live-responses-table", timeout=20_000)
            answer = page.locator("#operations-articles-articles_list .live-responses-table").inner_text()
            assert "200" in answer and "接口文档里的文章" in answer
            page.screenshot(path=str(SCREENSHOTS / "api-docs-tried.png"), full_page=False)
            context.close()
        finally:
            browser.close()
    assert elsewhere == [] and problems == []
