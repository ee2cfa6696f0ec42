-- 02_ase_situation: each child's situation at 31 December of each year,
-- the base of the ASE indicators (one row per child followed that day).

-- Date of each département's latest extract, the date in its name
-- (ase_mesures_YYYYMMDD.csv; never the file's modification time): values
-- at 31/12 of a year that had not ended when it was taken are provisional.
-- reads: raw.ase_measures
CREATE OR REPLACE TABLE core.ase_extract AS
SELECT dep, max(strptime(left(name_key, 8), '%Y%m%d'))::DATE AS extract_date
FROM meta.files WHERE kind = 'ase' AND status = 'loaded' AND name_key IS NOT NULL GROUP BY dep;

CREATE OR REPLACE TABLE core.ase_years AS
SELECT e.dep, y.year, make_date(y.year, 12, 31) AS ref_date,
       make_date(y.year, 12, 31) > e.extract_date AS provisional
FROM core.ase_extract e
JOIN (SELECT dep, min(year(start_date)) AS first_year FROM core.ase_measures GROUP BY dep) f USING (dep)
CROSS JOIN LATERAL (SELECT unnest(range(f.first_year, year(e.extract_date) + 1)) AS year) y;

-- A child is followed at 31/12/N when at least one measure is ongoing that
-- day (started on or before it, not ended before it). Counted once,
-- however many measures. Territory: that of the measure that started
-- last, then the last recorded. Mode d'accueil: that of the child's main
-- accueil: a residential mode wins over "Accueil de jour" (day care is not
-- where a child lives); among residential ones, the accueil that started
-- last, then the earliest recorded. "Recorded" is the rank of the
-- measure's number among the child's in the extract (measure_order, kept
-- at load): the pseudonyms have no order. Each measure is expanded to the
-- years whose 31 December it covers (no join of every measure with every
-- year). The orders are built as strings (arg_max over a struct is a
-- quarter slower at national size).
CREATE OR REPLACE TABLE core.ase_situation AS
WITH measure_years AS (
    SELECT m.dep, m.child_id, m.measure_id, m.territory, m.sex, m.birth_year, m.nature,
           m.is_accueil, m.mode_accueil, m.start_date,
           strftime(m.start_date, '%Y%m%d') || lpad(coalesce(m.measure_order, 0)::VARCHAR, 7, '0') || m.measure_id AS latest,
           (coalesce(m.mode_accueil, '') <> 'Accueil de jour')::INT::VARCHAR
               || strftime(m.start_date, '%Y%m%d')
               || lpad((9999999 - coalesce(m.measure_order, 0))::VARCHAR, 7, '0') || m.measure_id AS main_accueil,
           unnest(range(year(m.start_date),
                  CASE WHEN m.end_date IS NULL THEN year(e.extract_date)
                       WHEN month(m.end_date) = 12 AND day(m.end_date) = 31 THEN year(m.end_date)
                       ELSE year(m.end_date) - 1 END + 1)) AS year
    FROM core.ase_measures m JOIN core.ase_extract e USING (dep)
)
SELECT m.dep, m.year, y.provisional, m.child_id,
       arg_max(m.territory, m.latest) AS territory,
       any_value(m.sex) AS sex,
       m.year - any_value(m.birth_year) AS age,
       core.ase_age_band(m.year - any_value(m.birth_year)) AS age_band,
       bool_or(m.is_accueil) AS in_accueil,
       arg_max(m.mode_accueil, m.main_accueil) FILTER (WHERE m.is_accueil) AS mode_accueil,
       -- the nature of that same main accueil (its decision, for the DREES tables)
       arg_max(m.nature, m.main_accueil) FILTER (WHERE m.is_accueil) AS accueil_nature,
       bool_or(m.nature = 'Accueil provisoire jeune majeur') AS apjm,
       bool_or(m.nature = 'Pupille de l''État') AS pupille,
       bool_or(m.start_date < y.ref_date - INTERVAL 4 YEAR) AS over_4_years,
       count(*) AS measures
FROM measure_years m
JOIN core.ase_years y USING (dep, year)
GROUP BY m.dep, m.year, y.provisional, m.child_id;
