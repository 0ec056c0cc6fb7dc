"""Admin forms for articles: the edit form (workflow, edit conflicts, tags) and the bulk-action forms."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from articles import workflow
from articles.admin.editor import ArticleBodyWidget
from articles.images import MESSAGES
from articles.models import Article, Category, Tag

TAG_SEPARATORS = re.compile(r"[,，、;；\n]+")


def tag_autocomplete(admin_site=admin.site) -> AutocompleteSelectMultiple:
    """Return the autocomplete widget picking existing tags."""
    return AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin_site)


def split_tag_names(text: str) -> list[str]:
    """Return the tag names typed in ``text``, split on Chinese or Latin commas, without blanks."""
    return [name.strip() for name in TAG_SEPARATORS.split(text or "") if name.strip()]


def https_by_default(model_field, **kwargs):
    """Return the form field for ``model_field``; addresses typed without a scheme are https."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class SplitDateTimeWithSeconds(AdminSplitDateTime):
    """The admin's date and time boxes, the time with its seconds (the Chinese format has none)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[1].format = "%H:%M:%S"


class ArticleAdminForm(forms.ModelForm):
    """The article form; the admin sets ``user``, whose workflow rights decide the statuses offered.

    While a revision is being restored the form's instance holds the revision's content with the
    article's current status, version and publication time (``articles.admin.history``).
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.all(), required=False, widget=tag_autocomplete()
    )
    new_tags = forms.CharField(
        label=_("New tags"),
        required=False,
        help_text=_("Tags that do not exist yet, separated by commas (，or 、)."),
    )

    user = None

    class Meta:
        model = Article
        formfield_callback = https_by_default
        # The admin's fieldsets decide what is shown; these are every field an editor may set.
        fields = [
            "title", "slug", "subtitle", "summary", "body", "status", "review_note", "published_at",
            "category", "tags", "editor", "is_featured", "allow_comments", "lead_image",
            "lead_image_caption", "lead_image_credit", "lead_image_url", "thumbnail_url",
            "source_name", "source_url", "credits", "rights_notice", "front_matter",
        ]  # fmt: skip
        widgets = {
            "body": ArticleBodyWidget,
            "published_at": SplitDateTimeWithSeconds,
            "review_note": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version
        if self.instance.published_at and "published_at" in self.fields:
            # The form shows whole seconds; unchanged, the time keeps its fractions (clean_published_at).
            self.initial["published_at"] = self.instance.published_at.replace(microsecond=0)
        if "lead_image" in self.fields:
            # Say it the way the importer and validate_image do, whichever check notices first.
            self.fields["lead_image"].error_messages["invalid_image"] = MESSAGES["not_image"]
        if "status" in self.fields and self.user is not None:
            # The instance's status is still the stored one: the form changes it when it is cleaned.
            allowed = workflow.allowed_transitions(self.user, self.instance) or {self.instance.status}
            self.fields["status"].choices = [
                (value, label) for value, label in Article.Status.choices if value in allowed
            ]

    def clean_published_at(self):
        published_at = self.cleaned_data.get("published_at")
        stored = self.instance.published_at
        if published_at and stored and published_at == stored.replace(microsecond=0):
            return stored
        return published_at

    def clean_new_tags(self) -> list[str]:
        return split_tag_names(self.cleaned_data.get("new_tags", ""))

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk:
            self._check_no_edit_conflict(cleaned_data.get("expected_version"))
        status = cleaned_data.get("status", self.instance.status)
        if status == Article.Status.PUBLISHED and "published_at" in self.fields:
            # Publishing without a time means now (Article.save does the same).
            cleaned_data["published_at"] = cleaned_data.get("published_at") or timezone.now()
        if self.user is not None and status:
            try:
                workflow.check_transition(
                    self.user, self.instance, status, cleaned_data.get("review_note", "")
                )
            except ValidationError as error:
                self.add_error("status" if "status" in self.fields else None, error)
        return cleaned_data

    def _check_no_edit_conflict(self, expected: int | None) -> None:
        """Refuse the save when someone saved the article after this form was opened.

        The admin runs the whole request in one transaction, so the row lock taken
        here is held until the save: two saves of the same version cannot both pass.
        """
        stored = Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("version")
        current = next(iter(stored), (None,))[0]
        if current is None:
            raise ValidationError(_("This article was deleted while you were editing it."))
        if expected == current:
            return
        # Saving again after reading this message replaces the other version, knowingly.
        data = cast(QueryDict, self.data).copy()
        data[self.add_prefix("expected_version")] = str(current)
        self.data = data
        last = (
            Version.objects.get_for_object_reference(Article, self.instance.pk)
            .select_related("revision__user")
            .first()
        )
        who = (last.revision.user if last and last.revision.user else None) or _("someone else")
        when = formats.localize(timezone.localtime(last.revision.date_created)) if last else "?"
        raise ValidationError(
            _(
                "Not saved: %(who)s saved this article at %(when)s (version %(current)s) after you "
                "opened it (version %(expected)s). Your text is still in the form below. Open the "
                "article in another tab to see their changes; saving again replaces their version "
                "with yours."
            ),
            code="edit_conflict",
            params={"who": who, "when": when, "current": current, "expected": expected},
        )


class BulkCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("category"),
        queryset=Category.objects.all(),
        widget=AutocompleteSelect(Article._meta.get_field("category"), admin.site),
    )


class BulkTagsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.all(), required=False, widget=tag_autocomplete()
    )
    new_tags = forms.CharField(label=_("New tags"), required=False)

    def clean(self):
        cleaned_data = super().clean()
        names = [tag.name for tag in cleaned_data.get("tags", [])]
        names += split_tag_names(cleaned_data.get("new_tags", ""))
        if not names:
            raise ValidationError(_("Choose or type at least one tag."))
        cleaned_data["names"] = names
        return cleaned_data
