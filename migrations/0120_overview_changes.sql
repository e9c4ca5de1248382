-- The regulator's overview reads a year of batches; each process keeps its last answer while
-- nothing the page counts or names has changed. Every statement that writes batches,
-- treatments, products or organizations draws a number here (a sequence: seen by every session
-- at once, outside any transaction), so a process compares one number to know whether its copy
-- still holds.
CREATE SEQUENCE overview_changes;

CREATE FUNCTION note_overview_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('overview_changes');
    RETURN NULL;
END
$$;

CREATE TRIGGER batches_overview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON batches
    FOR EACH STATEMENT EXECUTE FUNCTION note_overview_change();
CREATE TRIGGER treatments_overview_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON treatments
    FOR EACH STATEMENT EXECUTE FUNCTION note_overview_change();
CREATE TRIGGER products_overview_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION note_overview_change();
CREATE TRIGGER organizations_overview_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION note_overview_change();
