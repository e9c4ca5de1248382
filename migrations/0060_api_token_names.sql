-- API tokens get an id (to list and revoke them by), a name and an optional expiry; every change
-- to a token or to its user's standing is announced, so each process drops its cached lookups.

ALTER TABLE api_tokens
    ADD COLUMN id          uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN name        text NOT NULL DEFAULT 'first token',
    ADD COLUMN expires_at  timestamptz;
ALTER TABLE api_tokens ALTER COLUMN name DROP DEFAULT;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_id UNIQUE (id);
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_name_length
    CHECK (char_length(name) BETWEEN 1 AND 200);

-- The payload is the user whose cached tokens are dropped: a revoke, a disable, a role change.
CREATE FUNCTION notify_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('radura_token_change', COALESCE(NEW.id, OLD.id)::text);
    ELSE
        PERFORM pg_notify('radura_token_change', COALESCE(NEW.user_id, OLD.user_id)::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER api_tokens_token_change AFTER UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION notify_token_change();
CREATE TRIGGER users_token_change
    AFTER UPDATE OF disabled_at, role, name, organization_id OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_token_change();
