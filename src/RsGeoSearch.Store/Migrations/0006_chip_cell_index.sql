-- An index led by the spatial cell. Every box query names the cells of the scenes meeting the box (ChipSql.Filter:
-- `c.cell = ANY(...)`, constants that let Citus prune shards). chips_pkey is (id, cell), so without this index
-- PostgreSQL answered that condition by reading all of chips_pkey: at 10^6 chips a bbox 1 % search spent 77 of its
-- 105 ms there, and takes 28 ms with this index (docs/SCALING.md).
CREATE INDEX chips_cell_idx ON chips (cell);
