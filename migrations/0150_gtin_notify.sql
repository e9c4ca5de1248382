-- Every process keeps the set of GTINs Radura labels, so the GS1 resolver answers an unknown GTIN
-- 404 without reading the database (service/verify/resolver/gtins.py). A new product's GTIN is
-- sent to every process on its own channel; a change that may drop or alter one (psql: products
-- are never deleted, and a GTIN never changes through the API) makes each process read the set
-- anew ('*'). Triggers, like the label views' (0020), so that any writer keeps the sets whole.
CREATE FUNCTION notify_gtin_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('radura_gtin_change', NEW.gtin::text);
    ELSE
        PERFORM pg_notify('radura_gtin_change', '*');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER products_gtin_added AFTER INSERT ON products
    FOR EACH ROW WHEN (NEW.gtin IS NOT NULL) EXECUTE FUNCTION notify_gtin_change();
CREATE TRIGGER products_gtin_changed AFTER UPDATE OF gtin OR DELETE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION notify_gtin_change();
