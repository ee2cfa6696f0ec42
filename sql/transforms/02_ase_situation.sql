-- 02_ase_situation: each child's situation at 31 December of each year,
-- the base of the ASE indicators (one row per child followed that day).

-- Date of each département's latest extract: values at 31/12 of a year
-- that had not ended when it was taken are provisional.
CREATE OR REPLACE TABLE core.ase_extract AS
SELECT dep, max(modified_at)::DATE AS extract_date
FROM meta.files WHERE kind = 'ase' AND status = 'loaded' GROUP BY dep;

CREATE OR REPLACE TABLE core.ase_years AS
SELECT e.dep, y.year, make_date(y.year, 12, 31) AS ref_date,
       make_date(y.year, 12, 31) > e.extract_date AS provisional
FROM core.ase_extract e
JOIN (SELECT dep, min(year(start_date)) AS first_year FROM core.ase_measures GROUP BY dep) f USING (dep)
CROSS JOIN LATERAL (SELECT unnest(range(f.first_year, year(e.extract_date) + 1)) AS year) y;

-- A child is followed at 31/12/N when at least one measure is ongoing that
-- day (started on or before it, not ended before it). Counted once,
-- however many measures. Territory and mode d'accueil: those of the
-- measure (or accueil) that started last, then the highest measure id.
CREATE OR REPLACE TABLE core.ase_situation AS
SELECT y.dep, y.year, y.provisional, m.child_id,
       arg_max(m.territory, (m.start_date, m.measure_id)) AS territory,
       any_value(m.sex) AS sex,
       y.year - any_value(m.birth_year) AS age,
       core.ase_age_band(y.year - any_value(m.birth_year)) AS age_band,
       bool_or(m.is_accueil) AS in_accueil,
       arg_max(m.mode_accueil, (m.start_date, m.measure_id)) FILTER (WHERE m.is_accueil) AS mode_accueil,
       bool_or(m.nature = 'Accueil provisoire jeune majeur') AS apjm,
       bool_or(m.nature = 'Pupille de l''État') AS pupille,
       bool_or(m.start_date < y.ref_date - INTERVAL 4 YEAR) AS over_4_years,
       count(*) AS measures
FROM core.ase_years y
JOIN core.ase_measures m
  ON m.dep = y.dep AND m.start_date <= y.ref_date AND (m.end_date IS NULL OR m.end_date >= y.ref_date)
GROUP BY y.dep, y.year, y.provisional, m.child_id;
