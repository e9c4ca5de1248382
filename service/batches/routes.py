"""The batch life-cycle controllers, for create_app() to mount."""

from __future__ import annotations

from litestar import Controller


def batch_controllers() -> list[type[Controller]]:
    from service.batches.controller import BatchesController
    from service.batches.epcis_controller import EpcisController
    from service.batches.export import ExportController
    from service.batches.export_xlsx import XlsxExportController
    from service.batches.facility_controller import FacilityController
    from service.batches.products import ProductsController

    return [
        ProductsController,
        BatchesController,
        FacilityController,
        ExportController,
        XlsxExportController,
        EpcisController,
    ]


def batch_pages() -> list[type[Controller]]:
    """The console's pages of products and batches (and the dashboard), under /app."""
    from service.batches.facility_pages import FacilityPages
    from service.batches.overview_pages import OverviewPages
    from service.batches.pages import BatchPages
    from service.batches.product_pages import ProductPages

    return [BatchPages, ProductPages, OverviewPages, FacilityPages]
