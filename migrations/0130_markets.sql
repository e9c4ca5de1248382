-- Export markets (SPEC §13.3, DOMAIN §8.10): the codes and the unions first, so that a shipment's
-- market resolves from its customer's country; each market's rules are added as data later.
-- A country market is its ISO 3166-1 alpha-2 code; a union has a code of its own (`EU`, `GCC`)
-- and lists its member countries, so an EU member's customer ships to `EU`. `ID` is the home
-- market, whose rules (BPOM's) every released batch already meets.

CREATE TABLE markets (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{2,3}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('country', 'union')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A country belongs to at most one union here: the one its shipments go to by default.
CREATE TABLE market_members (
    country  char(2) PRIMARY KEY CHECK (country ~ '^[A-Z]{2}$'),
    market   text NOT NULL REFERENCES markets (code)
);
CREATE INDEX market_members_market ON market_members (market);

INSERT INTO markets (code, name, kind) VALUES
    ('ID', 'Indonesia', 'country'),
    ('EU', 'European Union', 'union'),
    ('GCC', 'Gulf Cooperation Council', 'union'),
    ('US', 'United States', 'country'),
    ('AU', 'Australia', 'country'),
    ('NZ', 'New Zealand', 'country'),
    ('MY', 'Malaysia', 'country'),
    ('SG', 'Singapore', 'country'),
    ('CN', 'China', 'country'),
    ('JP', 'Japan', 'country');

-- the 27 member states of the European Union (Directive 1999/2/EC applies in each)
INSERT INTO market_members (country, market)
SELECT unnest(ARRAY['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU',
                    'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES',
                    'SE']), 'EU';

-- the six Gulf states under the GSO's common rules
INSERT INTO market_members (country, market)
SELECT unnest(ARRAY['SA', 'AE', 'QA', 'KW', 'BH', 'OM']), 'GCC';
