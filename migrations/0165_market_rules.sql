-- Export markets' rules as data (SPEC §13.3, DOMAIN §8.10): one row per market × food category ×
-- purpose, optionally narrowed to HS-code prefixes (a category holds more than one kind of food:
-- Japan admits potatoes, not onions). Rules change and a wrong row must be fixable without a
-- release, so an administrator replaces a market's rows through the API.
--
-- A market with no row admits nothing: Malaysia, Singapore and the Gulf states have no row here
-- because DOMAIN §8.10 knows their rules only with low confidence ("verify"); an administrator
-- enters them once confirmed. `ID`, the home market, needs none: every released batch already
-- meets BPOM's rules.

CREATE TABLE market_rules (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    market                 text NOT NULL REFERENCES markets (code),
    category               text NOT NULL,
    purpose                text NOT NULL,
    -- an empty list: every product of the category; else only HS codes starting with one
    hs_prefixes            text[] NOT NULL DEFAULT '{}',
    allowed                boolean NOT NULL,
    dose_limit_kgy         double precision CHECK (dose_limit_kgy > 0),
    dose_metric            text NOT NULL DEFAULT 'maximum'
                               CHECK (dose_metric IN ('maximum', 'overall_average')),
    -- the highest source energy per machine source type ({"x-ray": 5}); a type not named is
    -- limited only by Codex (the irradiators table's own check)
    max_source_energy_mev  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(max_source_energy_mev) = 'object'),
    -- statutory words per language ({"en": ["Treated with radiation"]})
    statutory_words        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(statutory_words) = 'object'),
    symbol_required        boolean NOT NULL DEFAULT false,
    -- the approval kind the irradiating facility needs for this market, or none
    facility_approval      text CHECK (facility_approval IN
                               ('eu_facility_list', 'fda_registration', 'aphis', 'gacc', 'other')),
    source                 text NOT NULL CHECK (length(source) BETWEEN 1 AND 500),
    confidence             text NOT NULL CHECK (confidence IN ('H', 'M', 'L')),
    unconfirmed            boolean NOT NULL DEFAULT false,
    CHECK (NOT allowed OR dose_limit_kgy IS NOT NULL),
    FOREIGN KEY (category, purpose) REFERENCES food_category_purposes (category, purpose)
);
CREATE INDEX market_rules_market ON market_rules (market, category, purpose);

-- The overall average dose is not a reference reading: it needs the dose map's average ratio
-- (ISO/ASTM 51702). Maps recorded before this column have none: their average is unknown.
ALTER TABLE dose_maps ADD COLUMN ratio_average double precision
    CHECK (ratio_average IS NULL OR (ratio_average >= ratio_min AND ratio_average <= ratio_max));

-- A facility's approval for a market (the EU list, FDA registration, APHIS, GACC), valid on the
-- days from valid_from to valid_until inclusive.
CREATE TABLE facility_approvals (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    market          text NOT NULL REFERENCES markets (code),
    kind            text NOT NULL CHECK (kind IN
                        ('eu_facility_list', 'fda_registration', 'aphis', 'gacc', 'other')),
    reference       text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    valid_from      date NOT NULL,
    valid_until     date NOT NULL CHECK (valid_until >= valid_from),
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX facility_approvals_organization ON facility_approvals (organization_id, market);

-- The seed, from DOMAIN §8.10. Words are seeded in English and Chinese only; other languages are
-- added as data once confirmed.
INSERT INTO market_rules (market, category, purpose, hs_prefixes, allowed, dose_limit_kgy,
                          dose_metric, max_source_energy_mev, statutory_words, symbol_required,
                          facility_approval, source, confidence, unconfirmed) VALUES
    -- EU: dried aromatic herbs, spices, vegetable seasonings only, <= 10 kGy overall average
    ('EU', 'spices_herbs', 'reduce_microbial_load', '{}', true, 10, 'overall_average',
        '{"x-ray": 5}', '{"en": ["irradiated", "treated with ionising radiation"]}', false,
        'eu_facility_list', 'Directive 1999/2/EC; Directive 1999/3/EC (Community list)', 'H', false),
    ('EU', 'spices_herbs', 'disinfestation', '{}', true, 10, 'overall_average',
        '{"x-ray": 5}', '{"en": ["irradiated", "treated with ionising radiation"]}', false,
        'eu_facility_list', 'Directive 1999/2/EC; Directive 1999/3/EC (Community list)', 'H', false),
    -- US: 21 CFR 179.26
    ('US', 'spices_herbs', 'reduce_microbial_load', '{}', true, 30, 'maximum', '{}',
        '{"en": ["Treated with radiation", "Treated by irradiation"]}', true,
        'fda_registration', '21 CFR 179.26(b) (spices, dry vegetable seasonings); 21 CFR 1.225', 'H', false),
    ('US', 'spices_herbs', 'disinfestation', '{}', true, 30, 'maximum', '{}',
        '{"en": ["Treated with radiation", "Treated by irradiation"]}', true,
        'fda_registration', '21 CFR 179.26(b) (spices, dry vegetable seasonings); 21 CFR 1.225', 'H', false),
    ('US', 'fish_seafood', 'reduce_pathogens', '{0306,1605}', true, 6, 'maximum', '{}',
        '{"en": ["Treated with radiation", "Treated by irradiation"]}', true,
        'fda_registration', '21 CFR 179.26(b) (crustaceans)', 'H', false),
    ('US', 'fish_seafood', 'extend_shelf_life', '{0306,1605}', true, 6, 'maximum', '{}',
        '{"en": ["Treated with radiation", "Treated by irradiation"]}', true,
        'fda_registration', '21 CFR 179.26(b) (crustaceans)', 'H', false),
    ('US', 'fish_seafood', 'reduce_pathogens', '{0307}', true, 5.5, 'maximum', '{}',
        '{"en": ["Treated with radiation", "Treated by irradiation"]}', true,
        'fda_registration', '21 CFR 179.26(b) (molluscan shellfish)', 'H', false),
    ('US', 'fresh_produce', 'quarantine', '{}', true, 1, 'maximum', '{}',
        '{"en": ["Treated with radiation", "Treated by irradiation"]}', true,
        'aphis', '21 CFR 179.26(b) (fresh foods, 1 kGy); 7 CFR 305 (APHIS phytosanitary)', 'M', false),
    ('US', 'mango', 'extend_shelf_life', '{}', true, 1, 'maximum', '{}',
        '{"en": ["Treated with radiation", "Treated by irradiation"]}', true,
        'aphis', '21 CFR 179.26(b) (fresh foods, 1 kGy); 7 CFR 305 (APHIS phytosanitary)', 'M', false),
    ('US', 'mangosteen', 'quarantine', '{}', true, 1, 'maximum', '{}',
        '{"en": ["Treated with radiation", "Treated by irradiation"]}', true,
        'aphis', '21 CFR 179.26(b) (fresh foods, 1 kGy); 7 CFR 305 (APHIS phytosanitary)', 'M', false),
    -- cooked meat dishes are not listed in 21 CFR 179.26: said explicitly
    ('US', 'ready_meal_sterile', 'sterilisation', '{}', false, NULL, 'maximum', '{}', '{}', false,
        NULL, '21 CFR 179.26 (cooked meat dishes not listed)', 'H', false),
    -- Australia and New Zealand: FSANZ Standard 1.5.3 (limits unconfirmed)
    ('AU', 'spices_herbs', 'reduce_microbial_load', '{}', true, 10, 'overall_average', '{}',
        '{"en": ["irradiated", "treated with ionising radiation"]}', false, 'other',
        'FSANZ Food Standards Code 1.5.3 (herbs, spices, herbal infusions)', 'M', true),
    ('AU', 'fresh_produce', 'quarantine', '{}', true, 1, 'maximum', '{}',
        '{"en": ["irradiated", "treated with ionising radiation"]}', false, 'other',
        'FSANZ Food Standards Code 1.5.3 (fruit and vegetables, phytosanitary)', 'M', true),
    ('AU', 'mango', 'extend_shelf_life', '{}', true, 1, 'maximum', '{}',
        '{"en": ["irradiated", "treated with ionising radiation"]}', false, 'other',
        'FSANZ Food Standards Code 1.5.3 (mango, phytosanitary)', 'M', true),
    ('AU', 'mangosteen', 'quarantine', '{}', true, 1, 'maximum', '{}',
        '{"en": ["irradiated", "treated with ionising radiation"]}', false, 'other',
        'FSANZ Food Standards Code 1.5.3 (mangosteen, phytosanitary)', 'M', true),
    ('NZ', 'spices_herbs', 'reduce_microbial_load', '{}', true, 10, 'overall_average', '{}',
        '{"en": ["irradiated", "treated with ionising radiation"]}', false, 'other',
        'FSANZ Food Standards Code 1.5.3 (herbs, spices, herbal infusions)', 'M', true),
    ('NZ', 'fresh_produce', 'quarantine', '{}', true, 1, 'maximum', '{}',
        '{"en": ["irradiated", "treated with ionising radiation"]}', false, 'other',
        'FSANZ Food Standards Code 1.5.3 (fruit and vegetables, phytosanitary)', 'M', true),
    ('NZ', 'mango', 'extend_shelf_life', '{}', true, 1, 'maximum', '{}',
        '{"en": ["irradiated", "treated with ionising radiation"]}', false, 'other',
        'FSANZ Food Standards Code 1.5.3 (mango, phytosanitary)', 'M', true),
    ('NZ', 'mangosteen', 'quarantine', '{}', true, 1, 'maximum', '{}',
        '{"en": ["irradiated", "treated with ionising radiation"]}', false, 'other',
        'FSANZ Food Standards Code 1.5.3 (mangosteen, phytosanitary)', 'M', true),
    -- China: GB 14891.x category standards, GB 18524-2016 (limits unconfirmed)
    ('CN', 'spices_herbs', 'reduce_microbial_load', '{}', true, 10, 'overall_average', '{}',
        '{"en": ["Irradiated"], "zh": ["辐照食品"]}', false, 'gacc',
        'GB 14891.4 (spices); GB 18524-2016; GACC Decree 248', 'M', true),
    ('CN', 'processed_produce', 'extend_shelf_life', '{}', true, 10, 'overall_average', '{}',
        '{"en": ["Irradiated"], "zh": ["辐照食品"]}', false, 'gacc',
        'GB 14891.5 (dehydrated vegetables); GB 18524-2016; GACC Decree 248', 'M', true),
    ('CN', 'dry_goods', 'disinfestation', '{}', true, 1, 'overall_average', '{}',
        '{"en": ["Irradiated"], "zh": ["辐照食品"]}', false, 'gacc',
        'GB 14891.3 (dried fruit and nuts); GB 18524-2016; GACC Decree 248', 'M', true),
    ('CN', 'meat_poultry', 'reduce_pathogens', '{1601,1602}', true, 8, 'overall_average', '{}',
        '{"en": ["Irradiated"], "zh": ["辐照食品"]}', false, 'gacc',
        'GB 14891.1 (cooked meat of livestock and poultry); GB 18524-2016; GACC Decree 248', 'M', true),
    -- Japan: potatoes only, sprout inhibition
    ('JP', 'bulbs_tubers', 'sprout_inhibition', '{0701}', true, 0.15, 'maximum', '{}', '{}', false,
        NULL, 'Food Sanitation Act, Specifications and Standards for Food (potatoes only)', 'H', false);
