"""The media library: uploaded images with their renditions, alternative text and credit.

Writers and editors upload images here or from the body editor's picker (the figure dialog's
"Browse…" button opens ``picker_view`` in a small window), and place them in articles.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.images import rendition_urls
from articles.models import MediaImage

PICKER_PAGE_SIZE = 40
# The copy placed in a body: the article column is about 700 px wide, so 960 px stays sharp on most screens.
BODY_WIDTH = 960


def body_url(image: MediaImage) -> str:
    """Return the address of the copy of ``image`` to place in an article body."""
    copies = rendition_urls(image.renditions)
    wide_enough = [url for width, url in copies if width >= BODY_WIDTH]
    if wide_enough:
        return wide_enough[0]
    return copies[-1][1] if copies else image.file.url


def thumbnail_url(image: MediaImage) -> str:
    """Return the address of the smallest copy of ``image`` (the original when there is none)."""
    copies = rendition_urls(image.renditions)
    return copies[0][1] if copies else image.file.url


def caption_with_credit(image: MediaImage) -> str:
    """Return the caption placed under ``image`` in a body: the caption, then the credit."""
    return " ".join(part for part in (image.caption, image.credit) if part)


class UploadForm(forms.ModelForm):
    class Meta:
        model = MediaImage
        fields = ["file", "alt_text", "caption", "credit"]


@admin.register(MediaImage)
class MediaImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "alt_text", "caption", "credit", "dimensions", "uploaded_by", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    list_select_related = ["uploaded_by"]
    search_fields = ["alt_text", "caption", "credit"]
    search_help_text = gettext_lazy("Search the alternative text, caption and credit.")
    list_per_page = PICKER_PAGE_SIZE
    date_hierarchy = None
    fields = ["file", "preview", "alt_text", "caption", "credit", "dimensions", "uploaded_by", "uploaded_at"]
    readonly_fields = ["preview", "dimensions", "uploaded_by", "uploaded_at"]

    @admin.display(description=gettext_lazy("image"))
    def thumbnail(self, image):
        return format_html(
            '<img src="{}" alt="" width="96" height="64" loading="lazy" style="object-fit:cover">',
            thumbnail_url(image),
        )

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, image):
        if not image.pk:
            return ""
        return format_html(
            '<img src="{}" alt="{}" style="max-width:32rem;height:auto">', body_url(image), image.alt_text
        )

    @admin.display(description=gettext_lazy("size"))
    def dimensions(self, image):
        return f"{image.width} × {image.height}" if image.width else ""

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        obj.refresh_renditions(file_changed="file" in form.changed_data)

    def get_urls(self):
        own = [
            path("picker/", self.admin_site.admin_view(self.picker_view), name="articles_mediaimage_picker")
        ]
        return own + super().get_urls()

    def picker_view(self, request):
        """The window the body editor opens to pick an image, or to upload one and pick it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        chosen = None
        form = UploadForm()
        if request.method == "POST":
            if not self.has_add_permission(request):
                raise PermissionDenied
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                chosen = form.save(commit=False)
                chosen.uploaded_by = request.user
                chosen.save()
                chosen.refresh_renditions(file_changed=True)
                form = UploadForm()
        query = request.GET.get("q", "").strip()
        images = MediaImage.objects.all()
        if query:
            images, _may_have_duplicates = self.get_search_results(request, images, query)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Pick an image"),
            "opts": self.opts,
            "is_popup": True,
            "query": query,
            "form": form,
            "can_upload": self.has_add_permission(request),
            "chosen": self._choice(chosen) if chosen else None,
            "images": [self._choice(image) for image in images[:PICKER_PAGE_SIZE]],
        }
        return TemplateResponse(request, "admin/articles/mediaimage/picker.html", context)

    @staticmethod
    def _choice(image: MediaImage) -> dict:
        return {
            "image": image,
            "thumbnail": thumbnail_url(image),
            "url": body_url(image),
            "caption": caption_with_credit(image),
        }
