"""One JSON shape for every error of the Content API: ``{"detail": …, "errors": {parameter: [why]}}``.

``detail`` is one sentence for a person; ``errors``, present when parameters were refused, names each
bad parameter with the reasons. Messages follow the request's language (Accept-Language).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.views import exception_handler as rest_framework_exception_handler

from articles.api import NO_STORE


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=gettext_lazy("What went wrong, in one sentence."))
    # The response's "errors" field; it shadows Serializer.errors only in the type checker's eyes,
    # since declared fields are collected from the class by the serializer's metaclass.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy("For each refused parameter, why it was refused."),
    )


def exception_handler(exception, context):
    """Return REST framework's error response reshaped as ``{"detail", "errors"}``, never stored."""
    response = rest_framework_exception_handler(exception, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        data = data["detail"]
    if isinstance(data, dict):
        errors = {name: [str(message) for message in _as_list(messages)] for name, messages in data.items()}
        body = {
            "detail": _("Check the parameters: %(names)s.") % {"names": ", ".join(errors)},
            "errors": errors,
        }
    else:
        body = {"detail": " ".join(str(message) for message in _as_list(data))}
    response.data = body
    response["Cache-Control"] = NO_STORE
    return response


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Answer an address under the API that names no endpoint, in the API's error shape."""
    response = JsonResponse(
        {"detail": _("There is no endpoint at this address. The schema lists them: /api/v1/schema/.")},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = NO_STORE
    return response


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Return the schema's descriptions of the error ``statuses`` an endpoint may answer with."""
    descriptions = {
        400: gettext_lazy("A parameter was refused; errors names it and says why."),
        401: gettext_lazy("The token or session given is not valid."),
        403: gettext_lazy("Only staff may ask for this."),
        404: gettext_lazy("Not found, or not published."),
        406: gettext_lazy("The API answers in JSON only."),
        429: gettext_lazy("Too many requests from this address; Retry-After says when to try again."),
    }
    return {status: OpenApiResponse(ErrorSerializer, description=descriptions[status]) for status in statuses}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]
