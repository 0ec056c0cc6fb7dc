"""The body editor: django-prose-editor (Tiptap on ProseMirror) with what a newsroom needs.

Headings, quotes, lists, links, tables and figures come with django-prose-editor; pictures are
picked from (or uploaded to) the media library through the figure dialog's picker. Two small
modules of ours, loaded by the editor before it starts (so nothing runs inline, as the admin's
Content Security Policy requires):

* ``articles/admin/editor-embed.js``: a video embed from the hosts of NEWSROOM_EMBED_HOSTS
  (``<iframe>``, kept by ``articles.sanitise``), shown in the editor as a box, never loaded;
* ``articles/admin/editor-desk.js``: the word count (each Chinese character is a word),
  autosave, a warning before leaving unsaved changes, and the toolbar in the admin's language.

Whatever the editor produces is cleaned by ``articles.sanitise`` when the article is saved.
"""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget

OUR_MODULES = ("articles/admin/editor-embed.js", "articles/admin/editor-desk.js")
HEADING_LEVELS = [2, 3, 4]  # the title is the page's h1


def extensions() -> dict:
    """Return the editor's extensions and their options (read when a form is shown: addresses and
    allowed hosts may differ between sites)."""
    return {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": HEADING_LEVELS},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"enableTarget": False},
        "Figure": {"pickerUrl": reverse("admin:articles_mediaimage_picker")},
        "Caption": True,
        "Image": True,
        "Table": True,
        "TableRow": True,
        "TableHeader": True,
        "TableCell": True,
        "Embed": {"hosts": list(settings.NEWSROOM_EMBED_HOSTS)},
        "Placeholder": {"placeholder": _("Write the story here…")},
        "HTML": True,
        "Fullscreen": True,
    }


class ArticleBodyWidget(AdminProseEditorWidget):
    """django-prose-editor's configurable preset with our extensions and modules."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("preset", "configurable")
        super().__init__(*args, **kwargs)

    def get_config(self):
        self.config = {"extensions": extensions()}
        config = super().get_config()
        config["js_modules"] = [*config.get("js_modules", []), *(static(path) for path in OUR_MODULES)]
        return config
