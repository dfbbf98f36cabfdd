"""What a test needs, said once on the fixture that provides it: ``conftest.py`` marks every test that uses the
fixture, directly or through other fixtures, so that ``-m "not slow"``, ``-m "not model"`` or ``-m postgres``
select by what a test really uses (the markers are listed in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest

Function = TypeVar("Function", bound=Callable[..., object])

_MARKERS_ATTRIBUTE = "hromada_test_markers"


def marks_tests(*markers: str) -> Callable[[Function], Function]:
    """Put under ``@pytest.fixture``: every test that uses the fixture gets ``markers`` (e.g. ``"model"``)."""

    def tag(fixture_function: Function) -> Function:
        setattr(fixture_function, _MARKERS_ATTRIBUTE, frozenset(markers))
        return fixture_function

    return tag


def markers_from_fixtures(item: pytest.Item) -> set[str]:
    """The markers of the fixtures ``item`` uses, all the way down (``item.fixturenames`` is that closure)."""
    # pytest's record of which definition of each fixture name this test gets (a module may override conftest's).
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    found: set[str] = set()
    for name in getattr(item, "fixturenames", ()):
        if definitions.get(name):
            found |= getattr(definitions[name][-1].func, _MARKERS_ATTRIBUTE, frozenset())
    return found
