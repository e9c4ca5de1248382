"""Shelf-life dating of irradiated food: the radura-sl model, its parameters and their sources."""

from service.shelf_life.model import estimate_shelf_life
from service.shelf_life.parameters import MODEL_VERSION

__all__ = ["MODEL_VERSION", "estimate_shelf_life"]
