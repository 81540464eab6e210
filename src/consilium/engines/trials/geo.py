"""Distances and placing a member's home, offline.

A home is placed from what the member record says (ZIP code, city, state) using, in
order: the registry's own site coordinates (a gazetteer of ZIP codes and city/state
pairs built from every site with a geoPoint), then the state's 2020 center of population
(``data/us_states.yaml``). No geocoding service is called.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from consilium.engines.trials.vocab import load

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@cache
def states() -> dict[str, dict]:
    return load("us_states")["states"]


@cache
def _state_codes() -> dict[str, str]:
    out = {}
    for code, entry in states().items():
        out[code.lower()] = code
        out[entry["name"].lower()] = code
    return out


def state_code(state: str) -> str | None:
    """'Ohio' or 'OH' → 'OH'; None for a non-US region."""
    return _state_codes().get((state or "").strip().lower())


def state_center(state: str) -> tuple[float, float] | None:
    code = state_code(state)
    if code is None:
        return None
    lat, lon = states()[code]["center"]
    return float(lat), float(lon)


US_NAMES = frozenset({"united states", "usa", "us", "united states of america"})


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    how: str  # "zip", "city", "zip3", "state"

    @property
    def point(self) -> tuple[float, float]:
        return (self.lat, self.lon)


@dataclass
class Gazetteer:
    """Mean coordinates of the registry's US sites by ZIP code, ZIP prefix and city."""

    _zip: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    _zip3: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    _city: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)

    def add(self, *, city: str, state: str, country: str, zip: str, lat, lon) -> None:
        if lat is None or lon is None:
            return
        if country and country.strip().lower() not in US_NAMES:
            return
        code = state_code(state)
        point = (float(lat), float(lon))
        z = "".join(ch for ch in (zip or "") if ch.isdigit())[:5]
        if len(z) == 5:
            self._zip.setdefault(z, []).append(point)
            self._zip3.setdefault(z[:3], []).append(point)
        if code and city:
            self._city.setdefault((city.strip().lower(), code), []).append(point)

    @classmethod
    def from_sites(cls, sites: Iterable) -> Gazetteer:
        g = cls()
        for s in sites:
            g.add(city=s.city, state=s.state, country=s.country, zip=s.zip, lat=s.lat, lon=s.lon)
        return g

    def __len__(self) -> int:
        return len(self._zip) + len(self._city)

    def locate(self, *, city: str = "", state: str = "", postal_code: str = "") -> Place | None:
        z = "".join(ch for ch in (postal_code or "") if ch.isdigit())[:5]
        if len(z) == 5 and z in self._zip:
            return Place(*_mean(self._zip[z]), "zip")
        code = state_code(state)
        if code and city and (key := (city.strip().lower(), code)) in self._city:
            return Place(*_mean(self._city[key]), "city")
        if len(z) >= 3 and z[:3] in self._zip3:
            return Place(*_mean(self._zip3[z[:3]]), "zip3")
        center = state_center(state)
        if center:
            return Place(*center, "state")
        return None


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
