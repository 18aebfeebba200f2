-- The spatial cell: a coarse 1-degree grid cell of a scene's footprint centre (see docs/SCALING.md). On a Citus
-- cluster chips and embeddings are distributed by it, so every chip of one place (all its dates) and its
-- embeddings live on one shard; on a single node the same columns and keys exist, so both targets share one
-- schema and one set of queries. Keys that must include the distribution column include it here: the cell of a
-- chip is its scene's cell (copied from the scene row when the chip is stored), so (scene, level, col, row, cell)
-- is unique exactly when (scene, level, col, row) is, and (chip, cell) exactly when chip is.

CREATE FUNCTION scene_cell(footprint public.geometry) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN footprint IS NULL OR public.ST_IsEmpty(footprint) THEN -1
           ELSE (floor(public.ST_Y(public.ST_Centroid(footprint)) + 90)::integer % 180) * 360
              + (floor(public.ST_X(public.ST_Centroid(footprint)) + 180)::integer % 360) END;

ALTER TABLE scenes ADD COLUMN cell integer NOT NULL GENERATED ALWAYS AS (scene_cell(footprint)) STORED;

ALTER TABLE chips ADD COLUMN cell integer;
UPDATE chips c SET cell = s.cell FROM scenes s WHERE s.id = c.scene_id;
ALTER TABLE chips ALTER COLUMN cell SET NOT NULL;

ALTER TABLE embeddings ADD COLUMN cell integer;
UPDATE embeddings e SET cell = c.cell FROM chips c WHERE c.id = e.chip_id;
ALTER TABLE embeddings ALTER COLUMN cell SET NOT NULL;

ALTER TABLE embeddings DROP CONSTRAINT embeddings_chip_id_fkey;
ALTER TABLE embeddings DROP CONSTRAINT embeddings_pkey;
ALTER TABLE chips DROP CONSTRAINT chips_pkey;
ALTER TABLE chips DROP CONSTRAINT chips_scene_grid_key;
ALTER TABLE chips ADD CONSTRAINT chips_pkey PRIMARY KEY (id, cell);
ALTER TABLE chips ADD CONSTRAINT chips_scene_grid_key UNIQUE (scene_id, level, col, "row", cell);
ALTER TABLE embeddings ADD CONSTRAINT embeddings_pkey PRIMARY KEY (model_id, chip_id, cell);
ALTER TABLE embeddings ADD CONSTRAINT embeddings_chip_fkey FOREIGN KEY (chip_id, cell) REFERENCES chips (id, cell) ON DELETE CASCADE;

-- The union of two pyramid-level lists, sorted (scene_models.levels when an ingest asks for more levels). A
-- function, not a subquery in the statement, because Citus takes no subqueries in INSERT ... ON CONFLICT.
CREATE FUNCTION merge_levels(a smallint[], b smallint[]) RETURNS smallint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY(SELECT DISTINCT l FROM unnest(a || b) AS l ORDER BY l);
