-- The admin log records edits (SPEC §3.2 "Editing"), each with before and after: an
-- organization, an irradiator, a user (and enabling one again), a new dose-map version and a new
-- product version.
--
-- The allowed actions are read from the constraint as it stands and extended, rather than
-- listed anew, so the actions other migrations have added survive whatever order they run in.

DO $$
DECLARE
    actions text[];
BEGIN
    SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO actions
    FROM pg_constraint c,
         regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') AS m
    WHERE c.conname = 'admin_audit_log_action_check'
      AND c.conrelid = 'admin_audit_log'::regclass;
    actions := ARRAY(
        SELECT DISTINCT a FROM unnest(actions || ARRAY[
            'organization.changed', 'irradiator.changed', 'dose_map.versioned', 'user.changed',
            'user.enabled', 'product.versioned']) AS a
        ORDER BY a);
    ALTER TABLE admin_audit_log DROP CONSTRAINT admin_audit_log_action_check;
    -- written as an IN list, as 0055 wrote it, so the constraint reads the same way again
    EXECUTE format(
        'ALTER TABLE admin_audit_log ADD CONSTRAINT admin_audit_log_action_check '
        'CHECK (action IN (%s))',
        (SELECT string_agg(quote_literal(a), ', ') FROM unnest(actions) AS a));
END
$$;
