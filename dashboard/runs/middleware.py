"""Middleware that keeps what fits of a scenario form over upload limits.

Django rejects a form body over DATA_UPLOAD_MAX_MEMORY_SIZE, or with more
than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, by raising while the CSRF check
reads ``request.POST``, and the visitor gets a bare "Bad Request (400)".
For ``POST /runs/new`` this middleware reads such a body itself, so it
must come before CsrfViewMiddleware. It keeps the form's own fields (the
first value of each) while they fit under the size limit and drops the
rest. ``request.form_limit_error`` passes the reason to the view, so the
page shows what was dropped and why, with everything else filled in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

READ_CHUNK = 64 * 1024
# Field names longer than this are no field of the form.
NAME_BYTES_MAX = 100


class FormLimitError:
    """Why a form body was cut: the message and the fields dropped."""

    def __init__(self, message: str, dropped: dict[str, int]) -> None:
        self.message = message
        self.dropped = dropped


class FormBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == reverse("runs:new"):
            try:
                request.POST  # noqa: B018  (parses the body, or raises)
            except (RequestDataTooBig, TooManyFieldsSent) as error:
                request.POST, request.form_limit_error = _salvage(request, error)
                request._files = MultiValueDict()
                # The view only shows the page again, with the error, and
                # starts nothing, so it needs no CSRF token. So a body cut
                # before its token, or a multipart one, which is not kept,
                # still gets the page instead of a CSRF failure.
                request._dont_enforce_csrf_checks = True
        return self.get_response(request)


def _salvage(
    request: HttpRequest, error: Exception
) -> tuple[QueryDict, FormLimitError]:
    from dashboard.runs.forms import ScenarioForm

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    form_fields = set(ScenarioForm.base_fields) | {"csrfmiddlewaretoken"}
    kept = QueryDict(mutable=True)
    dropped: dict[str, int] = {}
    if request.content_type == "application/x-www-form-urlencoded":
        room = limit
        for name, value, size in _fields(_chunks(request), limit):
            if name not in form_fields or name in kept:
                continue
            if value is None or size > room:
                dropped[name] = size
                continue
            kept[name] = value
            room -= size
    if isinstance(error, TooManyFieldsSent):
        fields_max = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = (
            f"The form sent more than {fields_max} fields (the server's "
            "DATA_UPLOAD_MAX_NUMBER_FIELDS); only the form's own fields were kept."
        )
    else:
        message = (
            f"The form is larger than the server's limit of {limit:,} bytes "
            "(DATA_UPLOAD_MAX_MEMORY_SIZE)."
        )
    if dropped:
        message += " Too large and left out: " + ", ".join(
            f"{_label(name)} ({size:,} bytes)" for name, size in dropped.items()
        )
        message += "."
    elif not kept:
        message += " Nothing of it could be kept."
    kept._mutable = False
    return kept, FormLimitError(message, dropped)


def _label(name: str) -> str:
    from dashboard.runs.forms import ScenarioForm

    form = ScenarioForm()
    return str(form[name].label) if name in form.fields else name


def _chunks(request: HttpRequest) -> Iterator[bytes]:
    """Yield the request body in chunks, from its start."""
    stream = request._stream  # type: ignore[attr-defined]
    if hasattr(stream, "seekable") and stream.seekable():
        # Django's size check may have left it at the end.
        stream.seek(0, os.SEEK_SET)
    while chunk := stream.read(READ_CHUNK):
        yield chunk


def _fields(
    chunks: Iterator[bytes], value_max: int
) -> Iterator[tuple[str, str | None, int]]:
    """Yield (name, value, encoded size) of each urlencoded field.

    Holds at most ``value_max`` bytes of a field: a longer one comes with
    the value None and its full encoded size. A field whose name is longer
    than NAME_BYTES_MAX is skipped.
    """
    part = bytearray()
    size = 0
    over = False

    def field() -> tuple[str, str | None, int] | None:
        name_raw, eq, value_raw = bytes(part).partition(b"=")
        if size == 0 or len(name_raw) > NAME_BYTES_MAX:
            return None
        name = _unquote(name_raw)
        return name, None if over else _unquote(value_raw), size

    for chunk in chunks:
        start = 0
        while True:
            end = chunk.find(b"&", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            size += len(piece)
            if not over:
                part += piece
                if size > value_max:
                    # Keep only the name: the value is past the limit.
                    name_end = part.find(b"=")
                    del part[NAME_BYTES_MAX + 1 if name_end < 0 else name_end :]
                    over = True
            if end < 0:
                break
            found = field()
            if found is not None:
                yield found
            part.clear()
            size = 0
            over = False
            start = end + 1
    found = field()
    if found is not None:
        yield found


def _unquote(raw: bytes) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8", "replace")
