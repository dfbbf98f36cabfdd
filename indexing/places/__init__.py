"""Places and dates: the gazetteer of regions and hromadas, and what a document's header says."""

from indexing.places.document_place import normal_region, place_metadata
from indexing.places.gazetteer import AmbiguousPlaceError, Gazetteer, Place

__all__ = ["AmbiguousPlaceError", "Gazetteer", "Place", "normal_region", "place_metadata"]
