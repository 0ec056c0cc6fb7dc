"""Accounts and roles in the admin: each role says what it may do, in the admin's language.

The three roles are groups (``articles.roles``) whose names stay in English because code finds
them by name; the admin shows their translated names and what each may do, on the group pages
and where a person's groups are chosen.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles import roles

User = get_user_model()
admin.site.unregister(Group)
admin.site.unregister(User)


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, group):
        return roles.label(group.name)


def roles_help():
    """Return the help under a person's groups: each role and what it may do."""
    return format_html(
        "<ul class='role-help'>{}</ul>",
        format_html_join(
            "",
            "<li><strong>{}</strong>: {}</li>",
            ((roles.label(name), roles.description(name)) for name in roles.LABELS),
        ),
    )


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [(group.pk, roles.label(group.name)) for group in Group.objects.order_by("name")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(groups=value) if value and value.isdigit() else queryset


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    list_display = ["role", "description", "members"]
    fields = ["name", "description", "permissions"]
    readonly_fields = ["description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("user"))

    @admin.display(description=_("role"), ordering="name")
    def role(self, group):
        return roles.label(group.name)

    @admin.display(description=_("what it may do"))
    def description(self, group):
        return roles.description(group.name) or "—"

    @admin.display(description=_("members"), ordering="member_count")
    def members(self, group):
        return group.member_count


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "role_names", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", RoleFilter]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("name"))
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("roles"))
    def role_names(self, user):
        return "、".join(roles.label(group.name) for group in user.groups.all())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
            kwargs["help_text"] = roles_help()
        return super().formfield_for_manytomany(db_field, request, **kwargs)
