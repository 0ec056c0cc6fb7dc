"""Helpers for the tests and benchmarks that run the cluster: an editor in the admin over HTTP,
readers through Varnish, and free ports."""

from __future__ import annotations

import http.client
import http.cookies
import re
import socket
import time
from urllib.parse import urlencode, urlsplit

import lxml.html


def free_ports(first: int, last: int, count: int) -> list[int]:
    """Return ``count`` ports between ``first`` and ``last`` that nothing listens on."""
    found = []
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError(f"fewer than {count} free ports between {first} and {last}")


class Page:
    """One HTTP answer: status, headers (lower-case names) and text."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body
        self.text = body.decode("utf-8", "replace")


def fetch(base_url: str, path: str, method: str = "GET", body: bytes | None = None, headers=None) -> Page:
    """Return the answer to one request (a new connection each time, as a new reader's would be)."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Page(
            response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
        )
    finally:
        connection.close()


class AdminSession:
    """A person logged in to the admin of one app server, filling in its forms as a browser would."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        login = self.get("/admin/login/")
        self.submit(
            login, "/admin/login/", {"username": username, "password": password}, form_id="login-form"
        )
        if "sessionid" not in self.cookies:
            raise AssertionError(f"could not log in to {base_url} as {username}")

    def request(self, method: str, path: str, data: list[tuple[str, str]] | None = None) -> Page:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.base_url,
                "Referer": self.base_url + path,
            }
        page = fetch(self.base_url, path, method, body, headers)
        for line in page.headers.get("set-cookie", "").split("\n"):
            cookie = http.cookies.SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return page

    def get(self, path: str) -> Page:
        page = self.request("GET", path)
        if page.status != 200:
            raise AssertionError(f"GET {path} answered {page.status}")
        return page

    def submit(
        self, page: Page, path: str, changes: dict, form_id: str | None = None, button: str = "_save"
    ) -> Page:
        """Post the form on ``page`` with ``changes``; return the answer (a redirect when it was accepted)."""
        document = lxml.html.fromstring(page.text)
        form = document.get_element_by_id(form_id) if form_id else document.forms[-1]
        data: dict[str, list[str]] = {}
        for name, value in form.form_values():
            data.setdefault(name, []).append(value)
        for name, value in changes.items():
            data[name] = list(value) if isinstance(value, list | tuple) else [str(value)]
        if button:
            data[button] = [""]
        answer = self.request(
            "POST", path, [(name, value) for name, values in data.items() for value in values]
        )
        if answer.status != 302:
            errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', answer.text, re.S)
            raise AssertionError(f"POST {path} answered {answer.status}: {errors or answer.text[:2000]}")
        return answer

    def change_article(self, pk: int, **changes) -> None:
        path = f"/admin/articles/article/{pk}/change/"
        self.submit(self.get(path), path, changes, form_id="article_form")

    def add_article(self, **fields) -> None:
        path = "/admin/articles/article/add/"
        self.submit(self.get(path), path, fields, form_id="article_form")

    def run_action(self, action: str, pks: list[int]) -> None:
        path = "/admin/articles/article/"
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = [("csrfmiddlewaretoken", token), ("action", action), ("index", "0")]
        data += [("_selected_action", str(pk)) for pk in pks]
        answer = self.request("POST", path, data)
        if answer.status != 302:
            raise AssertionError(f"action {action} answered {answer.status}")


def wait_for(condition, seconds: float, interval: float = 0.02):
    """Return the time (time.time()) at which ``condition()`` first held, or None if not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        if condition():
            return time.time()
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)
