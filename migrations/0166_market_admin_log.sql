-- An administrator's replacement of a market's rules and a facility's approval for a market land
-- in the admin audit log like every other administrative change.
--
-- The allowed actions and subject types are read from the constraints as they stand and
-- extended, rather than listed anew, so the values other migrations have added survive whatever
-- order they run in.

CREATE FUNCTION pg_temp.extend_in_check(constraint_name text, added text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    column_name text := CASE constraint_name
        WHEN 'admin_audit_log_action_check' THEN 'action' ELSE 'subject_type' END;
    allowed text[];
BEGIN
    SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO allowed
    FROM pg_constraint c,
         regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') AS m
    WHERE c.conname = constraint_name AND c.conrelid = 'admin_audit_log'::regclass;
    allowed := ARRAY(SELECT DISTINCT a FROM unnest(allowed || added) AS a ORDER BY a);
    EXECUTE format('ALTER TABLE admin_audit_log DROP CONSTRAINT %I', constraint_name);
    EXECUTE format(
        'ALTER TABLE admin_audit_log ADD CONSTRAINT %I CHECK (%I IN (%s))',
        constraint_name,
        column_name,
        (SELECT string_agg(quote_literal(a), ', ') FROM unnest(allowed) AS a));
END
$$;

SELECT pg_temp.extend_in_check('admin_audit_log_action_check',
                               ARRAY['market.rules_replaced', 'organization.approval_added']);
SELECT pg_temp.extend_in_check('admin_audit_log_subject_type_check', ARRAY['market']);
DROP FUNCTION pg_temp.extend_in_check(text, text[]);
