"""Helpers for admin tests: users in each role, and the data a browser would post back from a form."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group, Permission, User

from articles import roles


def staff_user(username: str, role: str | None) -> User:
    """Return a staff user in ``role`` (a group name), or a plain staff user when ``role`` is None."""
    user = User.objects.create_user(username=username, password="pass-for-tests", is_staff=True)
    if role:
        if not Group.objects.filter(name=role).exists():
            # A transactional test before this one flushed the groups the migration made.
            roles.ensure_roles(Group, Permission)
        user.groups.add(Group.objects.get(name=role))
    return user


def writer(username: str = "writer") -> User:
    return staff_user(username, roles.WRITER)


def editor(username: str = "editor") -> User:
    return staff_user(username, roles.EDITOR)


def _field_data(bound_field) -> dict:
    widget, value, name = bound_field.field.widget, bound_field.value(), bound_field.html_name
    if isinstance(widget, forms.FileInput):
        return {}
    if isinstance(widget, forms.MultiWidget):
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        return {
            f"{name}_{index}": part.format_value(item) or ""
            for index, (part, item) in enumerate(zip(widget.widgets, values, strict=False))
        }
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if value else {}
    if isinstance(widget, forms.SelectMultiple):
        return {name: [str(getattr(item, "pk", item)) for item in value or []]}
    formatted = widget.format_value(value) if value is not None else ""
    return {name: "" if formatted is None else formatted}


def _form_data(form) -> dict:
    data = {}
    for bound_field in form:
        data.update(_field_data(bound_field))
    return data


def change_form_data(response, **changes) -> dict:
    """Return what submitting the admin change form in ``response`` unchanged would post, plus ``changes``."""
    context = response.context
    data = _form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        # Extra (blank) inline forms are left out, as a browser leaves them empty.
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            data.update(_form_data(form))
    data.update(changes)
    return data
