"""The gazetteer: any way of naming a place → its region (the oblast, or Kyiv/Sevastopol city) and its hromada.

«Полтавська», «Полтавська обл.», «Полтавщина», «Полтавская область», «м. Полтава», «Решетилівська ТГ» and
«Решетилівська міська рада» all resolve to Полтавська область; the last two also name the hromada. The
hromadas, their oblasts and raions come from ``gazetteer.json`` (see ``SOURCE.md``); the oblasts' other names
from ``oblasts.py``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexing.places.oblasts import REGIONS, RegionNames
from indexing.places.place_words import (
    feminine_adjective,
    land_name,
    masculine_adjective,
    name_key,
    town_adjectives,
)
from models.errors import HromadaError

GAZETTEER_FILE = Path(__file__).with_name("gazetteer.json")

_TOWN = re.compile(r"^(?:(?:м|г|смт)\.\s*|(?:м|г|смт|місто|міста|город|селище)\s+)(?=\S)")
_OBLAST = re.compile(r"\s+(?:область|області|обл\.?|области)$")
_RAION = re.compile(r"\s+(?:район|району|районі|р-н|р-ну)$")
_HROMADA = re.compile(
    r"\s+(?:(міськ|сільськ|селищн)\w*\s+)?(?:територіальн\w*\s+)?(?:громад\w*|тг|отг|рад\w*)$"
)
_HROMADA_NAME = re.compile(r"^(.*?)\s+(міська|сільська|селищна)\s+територіальна\s+громада$")
_TYPES = {"міськ": "міська", "сільськ": "сільська", "селищн": "селищна"}


class AmbiguousPlaceError(HromadaError):
    """A place name that fits hromadas in several regions; the message lists them."""


@dataclass(frozen=True)
class Place:
    """Where something is: its region («Полтавська область», «м. Київ») and, when named, its hromada."""

    region: str
    hromada: str | None = None


@dataclass(frozen=True)
class _Hromada:
    name: str
    adjective: str
    """The key of the name's adjective part: «решетилівська»."""
    kind: str | None
    """міська, сільська or селищна."""
    region: str


class Gazetteer:
    """Resolves place names to regions and hromadas."""

    def __init__(self, oblasts: dict[str, dict[str, list[str]]], regions: Iterable[RegionNames] = REGIONS):
        self._regions: dict[str, str] = {}
        self._towns: dict[str, Place] = {}
        self._raions: dict[str, set[str]] = {}
        self._hromadas: dict[str, list[_Hromada]] = {}
        for oblast, raions in oblasts.items():
            for raion, names in raions.items():
                if raion:
                    adjective = name_key(raion.removesuffix(" район"))
                    self._raions.setdefault(adjective, set()).add(oblast)
                for name in names:
                    hromada = _parse_hromada(name, oblast)
                    self._hromadas.setdefault(hromada.adjective, []).append(hromada)
        for region in regions:
            self._add_region(region)

    @classmethod
    @functools.cache
    def default(cls) -> Gazetteer:
        """The gazetteer of the file shipped with hromada (read once; it never changes)."""
        return cls(json.loads(GAZETTEER_FILE.read_text(encoding="utf-8"))["oblasts"])

    @property
    def regions(self) -> list[str]:
        """Every region's official name."""
        return sorted(set(self._regions.values()))

    def resolve(self, name: str) -> Place | None:
        """The place ``name`` means, or None when it is no place the gazetteer knows.

        A name may combine parts («Городоцька громада, Львівська область»); the region then narrows the hromada.
        Raises ``AmbiguousPlaceError`` when the name fits places in several regions.
        """
        parts = [part for part in re.split(r"[,()]", name_key(name)) if part.strip()]
        if len(parts) > 1:
            return self._resolve_parts(name, parts)
        places = self._candidates(name_key(name))
        return _one(name, places)

    def _resolve_parts(self, name: str, parts: list[str]) -> Place | None:
        found = [self._candidates(name_key(part)) for part in parts]
        regions = [{place.region for place in places} for places in found if places]
        if not regions:
            return None
        common = set.intersection(*regions)
        if not common:
            return _one(name, [place for places in found for place in places])
        places = [place for candidates in found for place in candidates if place.region in common]
        hromadas = {place.hromada for place in places if place.hromada}
        region = _one(name, [Place(region) for region in common])
        assert region is not None  # common is not empty
        return Place(region.region, hromadas.pop() if len(hromadas) == 1 else None)

    def _candidates(self, key: str) -> list[Place]:
        if key in self._regions:
            return [Place(self._regions[key])]
        town = _TOWN.sub("", key)
        if town != key:
            return self._towns_named(town)
        core = _OBLAST.sub("", key)
        if core != key:
            region = self._regions.get(feminine_adjective(core))
            return [Place(region)] if region else []
        core = _RAION.sub("", key)
        if core != key:
            return [Place(region) for region in sorted(self._raions.get(masculine_adjective(core), ()))]
        marked = _HROMADA.search(key)
        if marked:
            kind = _TYPES.get(marked.group(1) or "")
            return self._hromadas_named(feminine_adjective(key[: marked.start()]), kind)
        land = self._regions.get(land_name(key))
        if land:
            return [Place(land)]
        return self._towns_named(key) or self._hromadas_named(feminine_adjective(key), None)

    def _towns_named(self, town: str) -> list[Place]:
        if town in self._towns:
            return [self._towns[town]]
        for adjective in town_adjectives(town):
            places = self._hromadas_named(adjective, None, towns_only=True)
            if places:
                return places
        return []

    def _hromadas_named(self, adjective: str, kind: str | None, towns_only: bool = False) -> list[Place]:
        hromadas = self._hromadas.get(adjective, [])
        if kind is not None:
            hromadas = [hromada for hromada in hromadas if hromada.kind == kind]
        if towns_only:
            hromadas = [hromada for hromada in hromadas if hromada.kind in ("міська", "селищна")]
        return [Place(hromada.region, hromada.name) for hromada in hromadas]

    def _add_region(self, region: RegionNames) -> None:
        names = [region.name, *region.lands]
        if region.name.endswith(" область"):
            adjective = region.name.removesuffix(" область")
            names.append(adjective)
            if region.russian:
                names.append(region.russian)
        for name in names:
            self._regions[name_key(name)] = region.name
        centre = self._centre_hromada(region)
        for city in region.cities:
            self._towns[name_key(city)] = Place(region.name, centre)

    def _centre_hromada(self, region: RegionNames) -> str | None:
        adjective = region.centre_hromada or region.name.removesuffix(" область")
        for hromada in self._hromadas.get(name_key(adjective), []):
            if hromada.kind == "міська" and hromada.region == region.name:
                return hromada.name
        return None


def _parse_hromada(name: str, region: str) -> _Hromada:
    match = _HROMADA_NAME.match(name)
    if match:
        return _Hromada(name, name_key(match.group(1)), match.group(2), region)
    return _Hromada(name, name_key(name.removesuffix(" громада")), None, region)


def _one(name: str, places: list[Place]) -> Place | None:
    """The one place among ``places``: a hromada when one is named, else the region they all share."""
    if not places:
        return None
    regions = sorted({place.region for place in places})
    if len(regions) > 1:
        raise AmbiguousPlaceError(f"«{name}» fits places in {len(regions)} regions ({', '.join(regions)})")
    hromadas = {place.hromada for place in places}
    return places[0] if len(hromadas) == 1 else Place(regions[0])
