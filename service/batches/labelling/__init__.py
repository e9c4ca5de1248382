"""A batch's labelling: what its label says and which layouts hold it, the signing keys, the
serials issued for its packs."""
