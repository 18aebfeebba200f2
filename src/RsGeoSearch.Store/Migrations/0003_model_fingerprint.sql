-- A fingerprint of the model weights that made a model's embeddings (see Model.Fingerprint). A model folder
-- whose weights changed under the same name (a retrained rsgeo-mini, another export) must not be queried
-- against embeddings of the old weights. NULL for models registered before this migration: unknown weights.
ALTER TABLE models ADD COLUMN fingerprint text;
