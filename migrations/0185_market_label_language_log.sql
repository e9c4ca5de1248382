-- An administrator's change of the language a market's labels are printed in when none is asked
-- for (`markets.label_language`, PUT /api/v1/markets/{code}) lands in the admin audit log, as
-- the replacement of the market's rules does.
--
-- The allowed actions are read from the constraint as it stands and extended, rather than listed
-- anew, so the values other migrations have added survive whatever order they run in.

CREATE FUNCTION pg_temp.extend_action_check(added text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    allowed text[];
BEGIN
    SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO allowed
    FROM pg_constraint c,
         regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') AS m
    WHERE c.conname = 'admin_audit_log_action_check'
      AND c.conrelid = 'admin_audit_log'::regclass;
    allowed := ARRAY(SELECT DISTINCT a FROM unnest(allowed || added) AS a ORDER BY a);
    ALTER TABLE admin_audit_log DROP CONSTRAINT admin_audit_log_action_check;
    EXECUTE format(
        'ALTER TABLE admin_audit_log ADD CONSTRAINT admin_audit_log_action_check '
        'CHECK (action IN (%s))',
        (SELECT string_agg(quote_literal(a), ', ') FROM unnest(allowed) AS a));
END
$$;

SELECT pg_temp.extend_action_check(ARRAY['market.label_language_changed']);
DROP FUNCTION pg_temp.extend_action_check(text[]);
