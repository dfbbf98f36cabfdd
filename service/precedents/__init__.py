"""Precedents of a problem (the law articles that govern it, similar projects of other communities, earlier
cases) and partners for inter-municipal cooperation.

``precedent_service`` builds the finders over a ``Hromada``; ``PrecedentFinder`` and ``PartnerFinder`` do
the work.
"""

from service.precedents.partner_finder import Evidence, PartnerFinder, PartnerSuggestion, UnknownHromadaError
from service.precedents.precedent_finder import PrecedentFinder
from service.precedents.precedent_types import Precedent, PrecedentReport

__all__ = [
    "Evidence",
    "PartnerFinder",
    "PartnerSuggestion",
    "Precedent",
    "PrecedentFinder",
    "PrecedentReport",
    "UnknownHromadaError",
]
