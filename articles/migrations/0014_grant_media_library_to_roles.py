"""Data migration: Writers upload to the media library; Editors also change and delete its images.

The Administrator group gets every permission there is, the new ones included.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTED = {
    "Writer": ["add_mediaimage", "view_mediaimage"],
    "Editor": ["add_mediaimage", "view_mediaimage", "change_mediaimage", "delete_mediaimage"],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for role, codenames in GRANTED.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
            )
    administrator = Group.objects.filter(name="Administrator").first()
    if administrator is not None:
        administrator.permissions.set(list(Permission.objects.all()))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTED.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_label_author_account_and_byline_fields"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
