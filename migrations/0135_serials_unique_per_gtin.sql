-- A label serial is unique per GTIN (SPEC §5.1), no longer only per batch: GS1 names a pack by
-- its GTIN and serial alone (the EPCIS instance `…/01/{gtin}/21/{serial}` carries no lot), so
-- two batches of one product must never share a serial. `gtin` is the product's GTIN when the
-- serial was issued (products have one GTIN for life); serials of products without a GTIN keep
-- NULL and stay unique per batch (their `/v/{code}/{serial}` names the batch).
--
-- Serials issued before this rule may already collide across batches of one GTIN. Failing the
-- migration would stop the upgrade on labels already printed and stuck on packs, and deleting
-- or changing a serial would turn a genuine label into an unknown one. So every colliding
-- serial is reported in a NOTICE and kept; all but the first issued of each collision are marked
-- `gtin_clash`, which leaves them out of the unique index, while the first stays in it, so no
-- new serial can take that value again.

ALTER TABLE label_serials ADD COLUMN gtin char(14);
ALTER TABLE label_serials ADD COLUMN gtin_clash boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN label_serials.gtin_clash IS
    'issued before serials were unique per GTIN and shared with an earlier batch of the GTIN';

UPDATE label_serials s
   SET gtin = p.gtin
  FROM batches b
  JOIN products p ON p.id = b.product_id
 WHERE b.id = s.batch_id AND p.gtin IS NOT NULL;

DO $$
DECLARE
    collisions bigint;
    listed text;
BEGIN
    WITH ranked AS (
        SELECT batch_id, serial,
               row_number() OVER (PARTITION BY gtin, serial ORDER BY issued_at, batch_id) AS n
          FROM label_serials
         WHERE gtin IS NOT NULL
    )
    UPDATE label_serials s
       SET gtin_clash = true
      FROM ranked r
     WHERE r.n > 1 AND s.batch_id = r.batch_id AND s.serial = r.serial;
    IF FOUND THEN
        SELECT count(*),
               string_agg(format('GTIN %s serial %s in batches %s', gtin, serial, batches), '; '
                          ORDER BY gtin, serial)
          INTO collisions, listed
          FROM (SELECT gtin, serial,
                       string_agg(batch_id::text, ', ' ORDER BY issued_at, batch_id) AS batches
                  FROM label_serials
                 WHERE (gtin, serial) IN (SELECT gtin, serial FROM label_serials WHERE gtin_clash)
                 GROUP BY gtin, serial) AS collision;
        RAISE NOTICE 'label serials shared by batches of the same GTIN, issued before serials '
                     'were unique per GTIN, kept as they are (all but the first issued marked '
                     'label_serials.gtin_clash): % collision(s): %', collisions, listed;
    END IF;
END
$$;

CREATE UNIQUE INDEX label_serials_gtin_serial ON label_serials (gtin, serial)
    WHERE gtin IS NOT NULL AND NOT gtin_clash;
