"""A document's date and place in its metadata: the header's where the metadata says nothing, the region normalised.

What a file's records or ``--meta`` say wins over the header; the region, wherever it came from, is stored as the
gazetteer's region name, so that one filter finds it by any of its names. The hromada, when one is named, is
kept under ``place_hromada`` (``hromada`` is the key of a strategy's own hromada).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indexing.places.document_header import read_header
from indexing.places.gazetteer import AmbiguousPlaceError, Gazetteer, Place

HEADED_KINDS = ("transcript", "proposal", "note", "appeal")
"""Kinds whose first lines may state a date and place (a letter's «м. Київ, 30.09.2025»); laws carry their own."""

DATE_KEYS = ("date", "issued_date")
REGION_KEYS = ("region", "oblast")
HROMADA_KEY = "place_hromada"


def place_metadata(metadata: Mapping[str, Any], text: str, kind: str, gazetteer: Gazetteer) -> dict[str, Any]:
    """``metadata`` with the header's date and place added where it has none, and its region normalised."""
    placed = dict(metadata)
    if kind in HEADED_KINDS and not (_given(placed, DATE_KEYS) and _given(placed, REGION_KEYS)):
        header = read_header(text, gazetteer)
        if header.date and not _given(placed, DATE_KEYS):
            placed["date"] = header.date
        if header.place and not _given(placed, REGION_KEYS):
            placed["region"] = header.place.region
            if header.place.hromada:
                placed.setdefault(HROMADA_KEY, header.place.hromada)
    key = next((key for key in REGION_KEYS if placed.get(key)), None)
    if key is not None:
        place = region_place(str(placed[key]), gazetteer)
        if place is not None:
            placed[key] = place.region
            if place.hromada:
                placed.setdefault(HROMADA_KEY, place.hromada)
    return placed


def region_place(name: str, gazetteer: Gazetteer) -> Place | None:
    """The place a stored region names, or None when it is unknown or ambiguous (it is then kept as written)."""
    try:
        return gazetteer.resolve(name)
    except AmbiguousPlaceError:
        return None


def normal_region(name: str | None, gazetteer: Gazetteer) -> str | None:
    """The region name ``name`` is stored under: the gazetteer's, or ``name`` as written when it is unknown."""
    if not name:
        return name
    place = region_place(name, gazetteer)
    return place.region if place is not None else name


def _given(metadata: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return any(metadata.get(key) for key in keys)
