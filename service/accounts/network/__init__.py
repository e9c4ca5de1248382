"""A market network's memberships and the reach they give it (SPEC §13.4); its figures, workbook
and endpoints are in `service/network/`."""
