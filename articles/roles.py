"""The three newsroom roles as permission groups: Writer, Editor and Administrator.

The groups are created by the migration ``0004_editorial_roles`` and can be put
back as defined here with ``manage.py create_roles`` (for example after someone
edited a group by hand). What each role may do with an article, beyond these
permissions, is decided in ``articles.workflow``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

WRITER = "Writer"
EDITOR = "Editor"
ADMINISTRATOR = "Administrator"

# The groups keep their English names (code and migrations find them by name); people read these.
LABELS = {WRITER: _("Writer"), EDITOR: _("Editor"), ADMINISTRATOR: _("Administrator")}
DESCRIPTIONS = {
    WRITER: _(
        "Writes articles and edits their own drafts (made by them, or with their byline), uploads "
        "images to the media library, shares a draft for preview and submits it for review. Cannot "
        "publish, and cannot change other people's work or their own once submitted."
    ),
    EDITOR: _(
        "Everything a writer does, on every article in any status: publishes, schedules (a future "
        "publication time), unpublishes and archives; sends an article back to draft with a note; "
        "bulk actions; moves articles to the trash, restores them and deletes them for good; manages "
        "authors, categories, tags and the media library."
    ),
    ADMINISTRATOR: _("Every permission there is, including accounts and roles."),
}


def label(group_name: str) -> str:
    """Return the name people read for the group ``group_name`` (itself when it is not a role)."""
    return str(LABELS.get(group_name, group_name))


def description(group_name: str) -> str:
    """Return what the role ``group_name`` may do, or an empty text for a group that is not a role."""
    return str(DESCRIPTIONS.get(group_name, ""))


# (app label, codename) pairs; the Administrator gets every permission there is.
WRITER_PERMISSIONS = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "add_byline"),
    ("articles", "change_byline"),
    ("articles", "delete_byline"),
    ("articles", "view_byline"),
    ("articles", "view_author"),
    ("articles", "view_category"),
    ("articles", "add_tag"),
    ("articles", "view_tag"),
    ("articles", "add_mediaimage"),
    ("articles", "view_mediaimage"),
]
EDITOR_PERMISSIONS = [
    *WRITER_PERMISSIONS,
    ("articles", "delete_article"),
    ("articles", "publish_article"),
    ("articles", "change_any_article"),
    ("articles", "add_author"),
    ("articles", "change_author"),
    ("articles", "add_category"),
    ("articles", "change_category"),
    ("articles", "change_tag"),
    ("articles", "delete_tag"),
    ("articles", "change_slugredirect"),
    ("articles", "delete_slugredirect"),
    ("articles", "view_slugredirect"),
    ("articles", "change_mediaimage"),
    ("articles", "delete_mediaimage"),
]
ROLE_PERMISSIONS = {WRITER: WRITER_PERMISSIONS, EDITOR: EDITOR_PERMISSIONS}


def ensure_roles(group_model, permission_model) -> dict[str, int]:
    """Create or reset the three groups to exactly their permissions; return {role: permission count}.

    Takes the models as arguments so that the data migration can pass its historical models.
    """
    counts = {}
    for role, pairs in ROLE_PERMISSIONS.items():
        wanted = {codename for _app, codename in pairs}
        permissions = list(
            permission_model.objects.filter(
                content_type__app_label__in={app for app, _codename in pairs}, codename__in=wanted
            )
        )
        missing = wanted - {permission.codename for permission in permissions}
        if missing:
            raise LookupError(f"Permissions missing for {role}: {', '.join(sorted(missing))}")
        group, _created = group_model.objects.get_or_create(name=role)
        group.permissions.set(permissions)
        counts[role] = len(permissions)
    administrator, _created = group_model.objects.get_or_create(name=ADMINISTRATOR)
    everything = list(permission_model.objects.all())
    administrator.permissions.set(everything)
    counts[ADMINISTRATOR] = len(everything)
    return counts
