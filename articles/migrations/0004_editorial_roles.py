"""Data migration: the Writer, Editor and Administrator groups, as articles/roles.py defined them then.

The permission lists are copied here: the roles gained permissions later (0014), for models that
do not exist yet at this point of the migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = [
    "add_article", "change_article", "view_article", "add_byline", "change_byline", "delete_byline",
    "view_byline", "view_author", "view_category", "add_tag", "view_tag",
]  # fmt: skip
EDITOR_PERMISSIONS = [
    *WRITER_PERMISSIONS,
    "delete_article", "publish_article", "change_any_article", "add_author", "change_author",
    "add_category", "change_category", "change_tag", "delete_tag", "change_slugredirect",
    "delete_slugredirect", "view_slugredirect",
]  # fmt: skip


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for role, codenames in (("Writer", WRITER_PERMISSIONS), ("Editor", EDITOR_PERMISSIONS)):
        permissions = list(
            Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
        )
        missing = set(codenames) - {permission.codename for permission in permissions}
        if missing:
            raise LookupError(f"Permissions missing for {role}: {', '.join(sorted(missing))}")
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions)
    administrator, _created = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.set(list(Permission.objects.all()))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writer", "Editor", "Administrator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_add_article_owner_review_note_and_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
