"""The reader site's Jinja2 environment: the address guard, and the messages makemessages finds."""

from pathlib import Path

from django.template import engines

from articles.site.templating import gettext_calls

JINJA_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "jinja2"


def test_messages_are_found_wherever_the_call_stands():
    source = (
        '{{ _("At the start") }}\n'
        '{{ meta(site_name, title=_("A macro argument")) }}\n'
        '{% set label = gettext("In a set") %}<a title="{{ _(\'In an attribute\')|format(n=1) }}">\n'
        '{{ ngettext("%(count)s article", "%(count)s articles", count)|format(count=count) }}\n'
        "{{ _(reason) }}\n"
    )
    assert gettext_calls(source).splitlines() == [
        'gettext("At the start")',
        'gettext("A macro argument")',
        'gettext("In a set"); gettext("In an attribute")',
        'ngettext("%(count)s article", "%(count)s articles", 0)',
    ]


def test_every_jinja_template_s_messages_are_python_xgettext_can_read():
    for template in JINJA_TEMPLATES.rglob("*.html"):
        compile(gettext_calls(template.read_text(encoding="utf-8")), str(template), "exec")


def test_an_address_off_the_allow_list_never_reaches_a_page():
    template = engines["jinja2"].from_string('<img src="{{ address|web_url }}">')
    assert template.render({"address": "javascript:alert(1)"}) == '<img src="">'
    assert (
        template.render({"address": "https://example.com/a.jpg"}) == '<img src="https://example.com/a.jpg">'
    )
