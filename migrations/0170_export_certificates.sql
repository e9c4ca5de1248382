-- Export certificates (SPEC §13.3): one per shipment, its number given the first time the
-- certificate is asked for and kept, so that every copy of it carries the same number and the
-- public check at /c/{number} finds the shipment again. A number is never reused.

CREATE SEQUENCE export_certificate_serial;

CREATE TABLE export_certificates (
    shipment_id  uuid PRIMARY KEY REFERENCES shipments (id),
    -- RDR-EC-{year of issue}-{serial}: printed on the paper and in its QR
    number       text NOT NULL UNIQUE CHECK (number ~ '^RDR-EC-[0-9]{4}-[0-9]{6,}$'),
    issued_at    timestamptz NOT NULL DEFAULT now()
);

-- a certificate's number and date are facts on paper: never changed, never deleted
CREATE FUNCTION refuse_export_certificate_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'export certificates are never changed or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER export_certificates_fixed BEFORE UPDATE OR DELETE ON export_certificates
    FOR EACH ROW EXECUTE FUNCTION refuse_export_certificate_change();
