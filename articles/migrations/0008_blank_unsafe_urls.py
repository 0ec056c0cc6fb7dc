"""Blank every stored address that is not a plain http or https address (javascript:, data:, file:…).

Rows written before the allow-list (``articles.safe_urls``) may hold such addresses; pages no
longer show them, and saving the row would now be refused. This migration carries its own copy
of the check, as the allow-list may change after it.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import migrations

SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
BROWSER_DROPPED = re.compile(r"[\t\n\r]")
C0_CONTROL_OR_SPACE = "".join(chr(code) for code in range(0x21))
FIELDS = {"Article": ("source_url", "lead_image_url", "thumbnail_url"), "Author": ("website",)}


def allowed(value, syntax=URLValidator(schemes=["http", "https"])):
    if value != value.strip(C0_CONTROL_OR_SPACE) or BROWSER_DROPPED.search(value) or "\\" in value:
        return False
    scheme = SCHEME.match(value)
    if scheme is None or scheme.group(1).lower() not in ("http", "https"):
        return False
    try:
        syntax(value)
    except ValidationError:
        return False
    # Without backslashes, Python and browsers agree on where the user name ends.
    return urlsplit(value).username is None


def blank_unsafe_urls(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("articles", model_name)
        for row in model.objects.only("pk", *fields).iterator(chunk_size=1000):
            refused = [name for name in fields if getattr(row, name) and not allowed(getattr(row, name))]
            if refused:
                model.objects.filter(pk=row.pk).update(**dict.fromkeys(refused, ""))


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_web_url_fields")]

    operations = [migrations.RunPython(blank_unsafe_urls, migrations.RunPython.noop)]
