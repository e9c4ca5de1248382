"""The batch life-cycle controllers, for create_app() to mount."""

from __future__ import annotations

from litestar import Controller


def batch_controllers() -> list[type[Controller]]:
    from service.batches.controller import BatchesController
    from service.batches.customers.controller import CustomersController
    from service.batches.epcis.controller import EpcisController
    from service.batches.export.batches_csv import ExportController
    from service.batches.export.batches_xlsx import XlsxExportController
    from service.batches.export.trace_report import TraceController
    from service.batches.products.controller import ProductsController
    from service.batches.shipments.controller import ShipmentsController
    from service.batches.treatment.controller import FacilityController

    return [
        ProductsController,
        BatchesController,
        FacilityController,
        ExportController,
        XlsxExportController,
        EpcisController,
        CustomersController,
        ShipmentsController,
        TraceController,
    ]


def batch_pages() -> list[type[Controller]]:
    """The console's pages of products, batches, customers and shipments (and the dashboard),
    under /app."""
    from service.batches.customers.pages import CustomerPages
    from service.batches.figures.pages import OverviewPages
    from service.batches.pages import BatchPages
    from service.batches.products.edit_pages import ProductEditPages
    from service.batches.products.pages import ProductPages
    from service.batches.recall_pages import RecallPages
    from service.batches.shipments.pages import ShipmentPages
    from service.batches.treatment.pages import FacilityPages

    return [
        BatchPages,
        ProductPages,
        ProductEditPages,
        OverviewPages,
        FacilityPages,
        CustomerPages,
        ShipmentPages,
        RecallPages,
    ]
