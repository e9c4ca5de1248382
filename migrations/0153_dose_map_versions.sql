-- Dose maps change by new versions (SPEC §3.2 "Editing"): a corrected or repeated dose-mapping
-- study is a new map that replaces the old one, which stays as it was for the treatments that
-- used it (each treatment also keeps the values it used). `replaces_id` is unique, so a map is
-- replaced at most once: of two concurrent new versions of one map only one is stored.

ALTER TABLE dose_maps
    ADD COLUMN version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    ADD COLUMN replaces_id  uuid CONSTRAINT dose_maps_replaces_key UNIQUE REFERENCES dose_maps (id),
    ADD CONSTRAINT dose_maps_version_chain CHECK ((version = 1) = (replaces_id IS NULL));
