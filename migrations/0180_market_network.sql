-- The cooperative office (Dinas Koperasi dan UKM) and its market network (SPEC §13.4): an
-- organization of kind `market_network`, its users of role `market_network`, and the producers
-- it invites. A membership is a row with its own life: invited → accepted | declined, accepted →
-- left. A declined or left membership stays as history; inviting again makes a new row.

ALTER TABLE organizations DROP CONSTRAINT organizations_kind_check;
ALTER TABLE organizations ADD CONSTRAINT organizations_kind_check
    CHECK (kind IN ('producer', 'facility', 'regulator', 'market_network'));

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'producer', 'operator', 'qa', 'regulator', 'market_network'));

CREATE TABLE network_memberships (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    network_id    uuid NOT NULL REFERENCES organizations (id),
    producer_id   uuid NOT NULL REFERENCES organizations (id),
    status        text NOT NULL DEFAULT 'invited'
                  CHECK (status IN ('invited', 'accepted', 'declined', 'left')),
    invited_by    uuid REFERENCES users (id),
    invited_at    timestamptz NOT NULL DEFAULT now(),
    -- who accepted or declined, and when; then when the producer left
    answered_by   uuid REFERENCES users (id),
    answered_at   timestamptz,
    left_at       timestamptz,
    CONSTRAINT network_memberships_answered CHECK ((status = 'invited') = (answered_at IS NULL)),
    CONSTRAINT network_memberships_left CHECK ((status = 'left') = (left_at IS NOT NULL))
);

-- one open invitation or membership per network and producer: a second invitation racing the
-- first fails here, whatever the application checked before
CREATE UNIQUE INDEX network_memberships_open
    ON network_memberships (network_id, producer_id) WHERE status IN ('invited', 'accepted');
-- the scope of a network's every read: its accepted producers
CREATE INDEX network_memberships_network ON network_memberships (network_id, status, producer_id);
CREATE INDEX network_memberships_producer ON network_memberships (producer_id, invited_at DESC);
