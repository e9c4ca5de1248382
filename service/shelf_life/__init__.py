"""Shelf-life dating of irradiated food: the radura-sl models, their parameters and sources."""

from service.shelf_life.derivation import ShelfLifeRefused
from service.shelf_life.model import estimate_shelf_life, rederive
from service.shelf_life.parameters import MODEL_VERSION

__all__ = ["MODEL_VERSION", "ShelfLifeRefused", "estimate_shelf_life", "rederive"]
