"""HTML pages of runs: the list, the scenario form, the run page and its log."""

from __future__ import annotations

from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.forms.utils import ErrorList
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dashboard.runs import selectors, services
from dashboard.runs.forms import ScenarioForm, initial_from_scenario
from dashboard.runs.models import Run
from dashboard.runs.validation import ScenarioInvalid

JSONL_PAGE = 5000
# Maximum errors the form shows for one field. One more line then gives how
# many were left out, and each error is cut to ERROR_CHARS_MAX characters.
ERRORS_LISTED_MAX = 20
ERROR_CHARS_MAX = 500


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    return render(request, "runs/list.html", {"runs": selectors.runs_recent()})


@require_http_methods(["GET", "POST"])
def run_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ScenarioForm(request.POST)
        limit_error = getattr(request, "form_limit_error", None)
        if limit_error is not None:
            # The body was over Django's limits: show what was kept, say
            # what was not, and start nothing.
            form.is_valid()
            for name in limit_error.dropped:
                form.errors.pop(name, None)
                form.add_error(name, "Too large: left out of the form.")
            form.add_error(None, limit_error.message)
            return _render_invalid(request, form, 413)
        if form.is_valid():
            return _create(request, form)
        return _render_invalid(request, form, 400)
    initial = {}
    source = request.GET.get("from")
    if source:
        earlier = selectors.run_get(source)
        if earlier is None:
            raise Http404(f"no run {source!r} to copy")
        initial = initial_from_scenario(earlier.scenario)
    return render(
        request, "runs/new.html", {"form": ScenarioForm(initial=initial or None)}
    )


def _create(request: HttpRequest, form: ScenarioForm) -> HttpResponse:
    try:
        run = services.run_create(
            form.cleaned_data["scenario"], services.client_address(request.META)
        )
    except ScenarioInvalid as invalid:
        for field, message in invalid.errors.items():
            form.add_error(None, f"{field}: {message}" if field else message)
        return _render_invalid(request, form, 400)
    except services.AdmissionRefused as refused:
        form.add_error(None, refused.message)
        response = render(
            request, "runs/new.html", {"form": form}, status=refused.status
        )
        if refused.retry_after is not None:
            response["Retry-After"] = str(refused.retry_after)
        return response
    return HttpResponseRedirect(reverse("runs:detail", args=[run.slug]))


def _render_invalid(
    request: HttpRequest, form: ScenarioForm, status: int
) -> HttpResponse:
    _cap_errors(form)
    return render(request, "runs/new.html", {"form": form}, status=status)


def _cap_errors(form: ScenarioForm) -> None:
    """Keep the first ERRORS_LISTED_MAX errors of each field, cut short."""
    for name, errors in form.errors.items():
        texts = list(errors)
        messages = [
            text
            if len(text) <= ERROR_CHARS_MAX
            else text[: ERROR_CHARS_MAX - 1] + "\u2026"
            for text in texts[:ERRORS_LISTED_MAX]
        ]
        more = len(texts) - ERRORS_LISTED_MAX
        if more > 0:
            messages.append(f"and {more} more errors")
        capped = ErrorList(messages)
        capped.error_class = errors.error_class
        form.errors[name] = capped


@require_GET
def run_detail(request: HttpRequest, slug: str) -> HttpResponse:
    run = _run_or_404(slug)
    return render(request, "runs/detail.html", {"run": run})


@require_POST
def run_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    _run_or_404(slug)
    services.run_cancel(slug)
    return HttpResponseRedirect(reverse("runs:detail", args=[slug]))


@require_GET
def run_events_jsonl(request: HttpRequest, slug: str) -> HttpResponse:
    run = _run_or_404(slug)
    response = StreamingHttpResponse(
        _jsonl(run), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{run.slug}.jsonl"'
    return response


async def _jsonl(run: Run) -> AsyncIterator[str]:
    """Yield the whole log as JSON lines, one page read at a time."""
    after = 0
    while True:
        lines = await sync_to_async(selectors.run_events_after)(run, after, JSONL_PAGE)
        if not lines:
            return
        yield "\n".join(lines) + "\n"
        after += len(lines)


def _run_or_404(slug: str) -> Run:
    run = selectors.run_get(slug)
    if run is None:
        raise Http404(f"no run {slug!r}")
    return run
