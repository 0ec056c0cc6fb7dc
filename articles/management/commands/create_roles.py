"""manage.py create_roles: create the Writer, Editor and Administrator groups, or reset them."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from articles.roles import ensure_roles


class Command(BaseCommand):
    help = "Create the Writer, Editor and Administrator groups, or reset them to their standard permissions."

    def handle(self, *args, **options):
        for role, count in ensure_roles(Group, Permission).items():
            self.stdout.write(f"{role}: {count} permissions")
