-- Half-precision embeddings (pgvector's halfvec) for large models: from 1024 dimensions a float32 vector no longer
-- fits twice in a heap page (docs/SCALING.md). A model stores either `embedding` (vector) or `embedding_half`
-- (halfvec), chosen when it is registered and recorded in models.storage; its HNSW index is on that column.
ALTER TABLE models ADD COLUMN storage text NOT NULL DEFAULT 'vector' CHECK (storage IN ('vector', 'halfvec'));
ALTER TABLE embeddings ALTER COLUMN embedding DROP NOT NULL;
ALTER TABLE embeddings ADD COLUMN embedding_half halfvec;
ALTER TABLE embeddings ALTER COLUMN embedding_half SET STORAGE PLAIN;
ALTER TABLE embeddings ADD CONSTRAINT embeddings_one_vector CHECK ((embedding IS NULL) <> (embedding_half IS NULL));
