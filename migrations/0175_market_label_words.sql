-- The statutory words a label printed for an export market carries (SPEC §13.3, DOMAIN §8.10).
-- The words themselves are data per market rule and language (market_rules.statutory_words,
-- seeded in English and Chinese only); this adds where each market's words come from, and the
-- language a label for the market is printed in when none is asked for.
--
-- A label asked for a language whose words the table lacks is refused (422
-- `market_words_missing`) until an administrator adds them: the other languages are added as
-- data once confirmed, never guessed.

-- The language of a label for this market when the request names none (ISO 639-1); NULL: the
-- buyer country's language must be named, as for the EU (Directive 1999/2/EC, Art. 6: the
-- words in the language of the member state where the food is sold).
ALTER TABLE markets ADD COLUMN label_language text CHECK (label_language ~ '^[a-z]{2}$');

UPDATE markets SET label_language = v.language
FROM (VALUES ('ID', 'id'), ('US', 'en'), ('AU', 'en'), ('NZ', 'en'), ('SG', 'en'),
             ('MY', 'ms'), ('CN', 'zh'), ('JP', 'ja'), ('GCC', 'ar')) AS v (code, language)
WHERE markets.code = v.code;

-- Where a rule's statutory words come from: the labelling provision, which is often not the
-- provision that admits the food.
ALTER TABLE market_rules ADD COLUMN statutory_words_source text
    CHECK (length(statutory_words_source) BETWEEN 1 AND 500);

UPDATE market_rules SET statutory_words_source = CASE market
    WHEN 'US' THEN '21 CFR 179.26(c)(1): "Treated with radiation" or "Treated by irradiation", '
                   'with the Radura symbol'
    WHEN 'EU' THEN 'Directive 1999/2/EC, Art. 6(1): "irradiated" or "treated with ionising '
                   'radiation" (in each member state''s language)'
    WHEN 'AU' THEN 'FSANZ Food Standards Code 1.5.3: "treated with ionising radiation" or '
                   '"irradiated"'
    WHEN 'NZ' THEN 'FSANZ Food Standards Code 1.5.3: "treated with ionising radiation" or '
                   '"irradiated"'
    WHEN 'CN' THEN 'GB 7718-2011 §4.1.11.1: 辐照食品 next to the food''s name (English: unconfirmed '
                   'courtesy wording)'
    END
WHERE statutory_words <> '{}'::jsonb;
