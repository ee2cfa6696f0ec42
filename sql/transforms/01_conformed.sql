-- 01_conformed: the conformed tables, rebuilt from raw after every load.
-- They apply each source's semantics: the latest version of a figure wins,
-- events are counted once however many files repeat them.
--
-- "Later" is never a modification time (files are copied and touched):
-- files rank in the order the warehouse first saw them (file_id); the
-- files of a job whose names give a date or a revision (name_key: PMI
-- revisions, ASE extracts) take the places that its named files hold in
-- that order, ranked among themselves by their names.

-- Files currently loaded, with their order of precedence.
CREATE OR REPLACE TEMP VIEW loaded_files AS
WITH f AS (
    SELECT file_id, job, dep, path, name_key,
           row_number() OVER (ORDER BY file_id) AS seen,
           row_number() OVER (PARTITION BY job, name_key IS NULL ORDER BY file_id) AS slot,
           row_number() OVER (PARTITION BY job, name_key IS NULL ORDER BY name_key, file_id) AS by_name
    FROM meta.files WHERE status = 'loaded'
)
SELECT f.file_id, f.job, f.dep, f.path, s.seen AS precedence
FROM f JOIN f s ON s.job = f.job AND (s.name_key IS NULL) = (f.name_key IS NULL) AND s.slot = f.by_name;

CREATE OR REPLACE TABLE core.territories AS
SELECT DISTINCT ON (t.dep, t.commune) t.dep, t.commune, t.commune_label, t.territory, t.territory_label
FROM raw.territories t JOIN loaded_files f USING (file_id)
ORDER BY t.dep, t.commune, f.precedence DESC;

-- Prévention spécialisée: one annual report per service and year (the
-- latest file wins); TRAJECT hours only where no report exists.

-- TRAJECT exports overlap (a quarter re-exported with the whole year): for
-- each service, a later export replaces the rows of earlier ones on the
-- dates it covers, from its first to its last date of that service.
-- Within one file, identical rows are distinct activities.
CREATE OR REPLACE TABLE core.traject_activity AS
WITH rows AS (
    SELECT h.*, f.precedence
    FROM raw.activity_hours h JOIN loaded_files f USING (file_id)
    WHERE h.source = 'traject'
),
covers AS (
    SELECT dep, service_code, precedence, min(activity_date) AS first_date, max(activity_date) AS last_date
    FROM rows GROUP BY ALL
)
SELECT r.* EXCLUDE (precedence)
FROM rows r
WHERE NOT EXISTS (SELECT 1 FROM covers c
                  WHERE c.dep = r.dep AND c.service_code = r.service_code AND c.precedence > r.precedence
                    AND r.activity_date BETWEEN c.first_date AND c.last_date);
CREATE OR REPLACE TABLE core.activity_services AS
SELECT DISTINCT ON (r.dep, r.service_code, r.year)
       r.dep, r.service_code, r.year, r.service_name, r.association, r.territory,
       r.communes, r.fte, r.collective_actions, r.file_id
FROM raw.activity_reports r JOIN loaded_files f USING (file_id)
ORDER BY r.dep, r.service_code, r.year, f.precedence DESC;

-- Hours are summed as decimals (to the second): sums of doubles, computed
-- in parallel, differ in their last bits from one refresh to the next.
CREATE OR REPLACE TABLE core.activity_hours AS
SELECT h.dep, h.service_code, h.year, h.category, sum(h.hours::DECIMAL(18, 4)) AS hours, 'rapport' AS source
FROM raw.activity_hours h JOIN core.activity_services s USING (file_id, service_code, year)
WHERE h.source = 'rapport'
GROUP BY ALL
UNION ALL
SELECT h.dep, h.service_code, h.year, h.category, sum(h.hours::DECIMAL(18, 4)), 'traject'
FROM core.traject_activity h
WHERE NOT EXISTS (SELECT 1 FROM core.activity_services s
                  WHERE s.dep = h.dep AND s.service_code = h.service_code AND s.year = h.year)
GROUP BY ALL;

CREATE OR REPLACE TABLE core.activity_public AS
SELECT p.dep, p.service_code, p.year, p.public, p.age_band, p.sex, p.persons
FROM raw.activity_public p JOIN core.activity_services s USING (file_id, service_code, year);

-- Services expected to report in a year: those that reported the year
-- before (basis 'hours': hours from a report or from TRAJECT; 'report':
-- an annual report, for its public and collective actions). A total over
-- services of a year where an expected service has not reported is
-- incomplete, and no evolution is computed from or against it.
CREATE OR REPLACE TABLE core.activity_completeness AS
WITH reported AS (
    SELECT DISTINCT dep, service_code, year, 'hours' AS basis FROM core.activity_hours
    UNION ALL
    SELECT DISTINCT dep, service_code, year, 'report' AS basis FROM core.activity_services
),
years AS (SELECT DISTINCT dep, year, basis FROM reported)
SELECT y.dep, y.year, y.basis,
       count(p.service_code) AS services_expected,
       count(p.service_code) FILTER (WHERE r.service_code IS NULL) AS services_missing,
       coalesce(list_sort(list(p.service_code) FILTER (WHERE r.service_code IS NULL)), []) AS missing
FROM years y
LEFT JOIN reported p ON p.dep = y.dep AND p.basis = y.basis AND p.year = y.year - 1
LEFT JOIN reported r ON r.dep = p.dep AND r.basis = p.basis AND r.service_code = p.service_code AND r.year = y.year
GROUP BY ALL;

-- PMI: a later file for the same territory and month replaces the earlier
-- figures (revisions).
CREATE OR REPLACE TABLE core.pmi_monthly AS
SELECT DISTINCT ON (p.dep, p.territory, p.year, p.month) p.* EXCLUDE (file_id), p.file_id
FROM raw.pmi_monthly p JOIN loaded_files f USING (file_id)
ORDER BY p.dep, p.territory, p.year, p.month, f.precedence DESC;

-- Months reported per territory and year: a year with fewer than 12 is
-- incomplete, and the indicators built on it say so.
CREATE OR REPLACE TABLE core.pmi_completeness AS
SELECT dep, territory, year, count(*) AS months_reported,
       list_sort(list_filter(range(1, 13), m -> NOT list_contains(list(month), m))) AS months_missing
FROM core.pmi_monthly GROUP BY ALL;

-- PMI territories expected to report each year: every territory of the
-- mapping, and any other that reported that year. A département total is
-- incomplete unless each of them reported every month.
CREATE OR REPLACE TABLE core.pmi_expected AS
WITH reported AS (SELECT DISTINCT dep, year, territory FROM core.pmi_monthly),
expected AS (
    SELECT y.dep, y.year, m.territory
    FROM (SELECT DISTINCT dep, year FROM reported) y
    JOIN (SELECT DISTINCT dep, territory FROM core.territories) m USING (dep)
    UNION
    SELECT dep, year, territory FROM reported
)
SELECT e.dep, e.year, count(*) AS territories_expected,
       count(*) FILTER (WHERE r.territory IS NULL) AS territories_missing,
       coalesce(list_sort(list(e.territory) FILTER (WHERE r.territory IS NULL)), []) AS missing
FROM expected e LEFT JOIN reported r USING (dep, year, territory)
GROUP BY ALL;

-- ASE: the latest extract supersedes earlier ones (raw keeps only it).
CREATE OR REPLACE TABLE core.ase_measures AS
SELECT a.* EXCLUDE (file_id),
       a.nature NOT IN ('AED', 'AEMO') AS is_accueil,
       make_date(a.birth_year, a.birth_month, 15) AS birth_mid_month
FROM raw.ase_measures a JOIN loaded_files USING (file_id);

-- Adoption events: each event once, however many files repeat it.
CREATE OR REPLACE TABLE core.adoption_events AS
SELECT DISTINCT a.dep, a.child_id, a.event_date, a.event, a.jurisdiction
FROM raw.adoption_events a JOIN loaded_files USING (file_id);

-- INSEE population at 1 January: the latest file wins for each cell.
CREATE OR REPLACE TABLE core.population AS
SELECT DISTINCT ON (p.dep, p.geo_level, p.geo, p.year, p.sex, p.age_band) p.* EXCLUDE (file_id)
FROM raw.population p JOIN loaded_files f USING (file_id)
ORDER BY p.dep, p.geo_level, p.geo, p.year, p.sex, p.age_band, f.precedence DESC;

-- INSEE births by mother's département of residence: for each year, the
-- latest file that covers it.
CREATE OR REPLACE TABLE core.births AS
WITH per_file AS (
    SELECT b.*, f.precedence,
           max(f.precedence) OVER (PARTITION BY b.year) AS best
    FROM raw.births b JOIN loaded_files f USING (file_id)
)
SELECT dep, year, month, sex, sum(births) AS births
FROM per_file WHERE precedence = best GROUP BY ALL;

-- Helpers the indicator queries share (kept in the warehouse for
-- statisticians' own queries).

-- ASE age bands at 31 December (age = N − birth year).
CREATE OR REPLACE MACRO core.ase_age_band(age) AS
    CASE WHEN age BETWEEN 0 AND 5 THEN '0-5 ans'
         WHEN age BETWEEN 6 AND 10 THEN '6-10 ans'
         WHEN age BETWEEN 11 AND 15 THEN '11-15 ans'
         WHEN age BETWEEN 16 AND 17 THEN '16-17 ans'
         WHEN age BETWEEN 18 AND 20 THEN '18-20 ans' END;

-- Population aged lo..hi (inclusive) from INSEE's five-year bands, each
-- band's population spread evenly over its five ages.
CREATE OR REPLACE MACRO core.population_aged(lo, hi) AS TABLE
SELECT dep, geo_level, geo, year, sex,
       sum(population * (least(hi, coalesce(age_max, age_min + 4)) - greatest(lo, age_min) + 1)
           / (coalesce(age_max, age_min + 4) - age_min + 1)) AS population
FROM core.population
WHERE age_min IS NOT NULL
  AND (age_max - age_min = 4 OR age_max IS NULL)
  AND least(hi, coalesce(age_max, age_min + 4)) >= greatest(lo, age_min)
GROUP BY ALL;
