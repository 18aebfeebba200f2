-- The chip grid of a scene (chip size and stride in level pixels): every model's chips of a scene share
-- it, because chips are keyed by (scene, level, col, row). NULL for scenes stored before this migration.
ALTER TABLE scenes
    ADD COLUMN chip_size integer CHECK (chip_size > 0),
    ADD COLUMN stride    integer CHECK (stride > 0);

-- The pyramid levels an ingest of the scene under the model asked for. A later ingest that asks for more
-- levels reopens the scene (completed_at = NULL) and stores only the missing chips.
ALTER TABLE scene_models
    ADD COLUMN levels smallint[] NOT NULL DEFAULT '{0}';
