"""Edit and rerun: the form filled from a run gives back the same scenario.

A run is created through the API, the page /runs/new?from=<slug> is read
as a browser reads it, and its form is posted with every value unchanged.
The second run's stored scenario must equal the first's.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from dashboard.runs.models import Run

SCENARIO_DOC = Path(__file__).parents[2] / "docs" / "scenario.md"


def docs_example(protocol: str) -> dict:
    """Return the first JSON example of docs/scenario.md for ``protocol``."""
    for block in re.findall(r"```json\n(.*?)```", SCENARIO_DOC.read_text(), re.S):
        doc = json.loads(block)
        if doc.get("protocol") == protocol:
            return doc
    raise AssertionError(f"docs/scenario.md has no {protocol} example")


class FormValues(HTMLParser):
    """A parser that collects what a browser posts for the page's form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        name = values.get("name")
        if tag == "input" and name and values.get("type") != "submit":
            self.values[name] = values.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in values:
            self.values[self.select] = values.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea:
            # Browsers drop the newline that opens a textarea's content.
            text = self.values[self.textarea]
            self.values[self.textarea] = text.removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_values(content: bytes) -> dict[str, str]:
    parser = FormValues()
    parser.feed(content.decode())
    return parser.values


@pytest.mark.django_db
def test_rerun_keeps_twins_worlds(client: Client) -> None:
    original = docs_example("chained_hotstuff")
    created = client.post(
        "/api/runs", json.dumps(original), content_type="application/json"
    )
    first = Run.objects.get(slug=created.json()["slug"])
    page = client.get(f"/runs/new?from={first.slug}")
    values = form_values(page.content)
    response = client.post("/runs/new", values)
    second = Run.objects.exclude(pk=first.pk).get()

    assert created.status_code == 201, created.content
    assert "twins_worlds" in first.scenario
    assert first.scenario["twins_worlds"] == original["twins_worlds"]
    assert page.status_code == 200
    assert json.loads(values["twins_worlds"]) == original["twins_worlds"]
    assert response.status_code == 302, response.context["form"].errors
    assert second.scenario == first.scenario


@pytest.mark.django_db
def test_rerun_without_twins_worlds(client: Client) -> None:
    created = client.post(
        "/api/runs",
        json.dumps({"protocol": "pbft", "n": 4}),
        content_type="application/json",
    )
    first = Run.objects.get(slug=created.json()["slug"])
    values = form_values(client.get(f"/runs/new?from={first.slug}").content)
    response = client.post("/runs/new", values)
    second = Run.objects.exclude(pk=first.pk).get()

    assert values["twins_worlds"] == ""
    assert response.status_code == 302, response.context["form"].errors
    assert "twins_worlds" not in second.scenario
    assert second.scenario == first.scenario
