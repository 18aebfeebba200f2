-- The kind of a model's vector index: hnsw (the default: built empty at registration and fed by every insert) or
-- ivfflat (lists trained on the stored embeddings, built once a model has enough of them and rebuilt as it grows).
-- Recorded per model so that every process (ingest, API, a rebuild around a bulk load) builds and uses the same one.
ALTER TABLE models ADD COLUMN vector_index text NOT NULL DEFAULT 'hnsw' CHECK (vector_index IN ('hnsw', 'ivfflat'));
