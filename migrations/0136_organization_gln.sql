-- An organization's optional GLN (SPEC §11): its EPCIS events name its place by SGLN and it as
-- a party by PGLN when it has one. IF NOT EXISTS: customers and organizations get their GLN
-- with the shipments too, whichever of the two migrations runs first adds the column.
ALTER TABLE organizations ADD COLUMN IF NOT EXISTS gln text;
