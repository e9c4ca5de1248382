-- The administrators' audit log: who changed which account, organization, irradiator or
-- food-category row, and when. Append-only, like batch_events: the database refuses UPDATE,
-- DELETE and TRUNCATE, so not even an administrator with SQL access to the app's role rewrites it.

CREATE TABLE admin_audit_log (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- the clock, not the transaction's start: two changes in one transaction keep their order
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- NULL when the change came from the `radura` command line on the server itself
    actor_id      uuid REFERENCES users (id),
    actor_name    text NOT NULL,
    actor_role    text,
    action        text NOT NULL CHECK (action IN (
                      'organization.created', 'user.created', 'user.disabled', 'user.invited',
                      'irradiator.created', 'dose_map.created', 'food_category.limit_changed')),
    subject_type  text NOT NULL CHECK (subject_type IN (
                      'organization', 'user', 'irradiator', 'dose_map', 'food_category')),
    subject_id    text NOT NULL,
    subject_name  text NOT NULL,
    details       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX admin_audit_log_created ON admin_audit_log (created_at DESC, id DESC);

CREATE FUNCTION refuse_admin_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'admin_audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER admin_audit_log_no_update_delete BEFORE UPDATE OR DELETE ON admin_audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_admin_audit_change();
CREATE TRIGGER admin_audit_log_no_truncate BEFORE TRUNCATE ON admin_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_admin_audit_change();
