-- Customers and shipments (SPEC §13.1): one step forward from the label. A producer records who
-- bought a lot, so a recall can reach every buyer and a regulator can ask where a lot went.
-- Organizations and customers carry an optional GLN (GS1 Global Location Number), the party and
-- location identifier of EPCIS and of the FSMA 204 shipping records.

ALTER TABLE organizations ADD COLUMN gln char(13) CHECK (gln ~ '^[0-9]{13}$');

CREATE TABLE customers (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind             text NOT NULL CHECK (kind IN (
                         'distributor', 'retailer', 'marketplace', 'importer', 'other')),
    country          char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    city             text,
    gln              char(13) CHECK (gln ~ '^[0-9]{13}$'),
    email            text,
    whatsapp         text CHECK (whatsapp ~ '^\+[1-9][0-9]{6,14}$'),
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- lets a shipment name its customer and producer together (below)
    CONSTRAINT customers_id_organization_key UNIQUE (id, organization_id)
);
CREATE INDEX customers_organization ON customers (organization_id, created_at DESC, id DESC);
CREATE INDEX customers_created ON customers (created_at DESC, id DESC);

-- A shipment is never deleted: a mistaken one is cancelled with a reason (and an event in the
-- batch's audit log). The producer is kept beside the batch so tenant filters need no join.
CREATE TABLE shipments (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    batch_id       uuid NOT NULL REFERENCES batches (id),
    producer_id    uuid NOT NULL REFERENCES organizations (id),
    customer_id    uuid NOT NULL,
    shipped_at     timestamptz NOT NULL,
    quantity       double precision NOT NULL CHECK (quantity > 0),
    unit           text NOT NULL CHECK (unit IN ('pcs', 'kg')),
    document_no    text,
    market         text NOT NULL REFERENCES markets (code),
    -- positions in the batch's serials in issue order, counted from 0, both ends included
    serial_from    integer CHECK (serial_from >= 0),
    serial_to      integer,
    created_by     uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    cancelled_at   timestamptz,
    cancelled_by   uuid REFERENCES users (id),
    cancel_reason  text,
    -- a producer ships only to its own customers, whatever the code above does
    CONSTRAINT shipments_customer_of_producer FOREIGN KEY (customer_id, producer_id)
        REFERENCES customers (id, organization_id),
    CONSTRAINT shipments_serial_range CHECK (
        (serial_from IS NULL) = (serial_to IS NULL) AND serial_to >= serial_from),
    CONSTRAINT shipments_cancel_complete CHECK (
        (cancelled_at IS NULL) = (cancel_reason IS NULL)
        AND (cancelled_at IS NULL) = (cancelled_by IS NULL))
);
CREATE INDEX shipments_batch ON shipments (batch_id, created_at DESC, id DESC);
CREATE INDEX shipments_customer ON shipments (customer_id, created_at DESC, id DESC);
CREATE INDEX shipments_producer ON shipments (producer_id, created_at DESC, id DESC);

-- Never deleted, and once cancelled never changed again; before that only the cancellation
-- may be written.
CREATE FUNCTION refuse_shipment_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.cancelled_at IS NULL
       AND (NEW.id, NEW.batch_id, NEW.producer_id, NEW.customer_id, NEW.shipped_at,
            NEW.quantity, NEW.unit, NEW.document_no, NEW.market, NEW.serial_from, NEW.serial_to,
            NEW.created_by, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.batch_id, OLD.producer_id, OLD.customer_id, OLD.shipped_at,
            OLD.quantity, OLD.unit, OLD.document_no, OLD.market, OLD.serial_from, OLD.serial_to,
            OLD.created_by, OLD.created_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'shipments are never deleted or rewritten: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER shipments_no_rewrite BEFORE UPDATE OR DELETE ON shipments
    FOR EACH ROW EXECUTE FUNCTION refuse_shipment_change();
CREATE TRIGGER shipments_no_truncate BEFORE TRUNCATE ON shipments
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_shipment_change();
