"""manage.py ensure_admin: make sure an administrator account exists and say how to log in."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the administrator account if there is none, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        password_file = settings.DATA_DIR / "admin-password.txt"
        users = get_user_model().objects
        if not users.filter(username=username).exists():
            password = secrets.token_urlsafe(12)
            users.create_superuser(username=username, email="", password=password)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n", encoding="utf-8")
            password_file.chmod(0o600)
            self.stdout.write(self.style.SUCCESS(f"Created the administrator account {username!r}."))
        if password_file.exists():
            password = password_file.read_text(encoding="utf-8").strip()
            self.stdout.write(
                f"Log in at /admin/ as {username!r} with password {password!r} (kept in {password_file})."
            )
        else:
            self.stdout.write(
                f"The account {username!r} already existed; set its password with "
                f"`python manage.py changepassword {username}`."
            )
