-- 0011_measure_order: the rank of a measure's number among its child's
-- measures in the extract (1: the earliest recorded), kept at load because
-- the pseudonymised numbers have no order. It breaks ties between a
-- child's accueils that started the same day; it identifies no one.
ALTER TABLE raw.ase_measures ADD COLUMN measure_order INTEGER;
