-- 03_quality: every row left out of an indicator by its scope or by a data
-- problem, counted by source, file, year and rule, with one example that
-- identifies no one: shown by `odpe status` and on the Lisez-moi sheet of
-- the workbooks. One table per family, rebuilt when the family changes;
-- the files' part whenever a refresh registers a file (rejected and
-- duplicates included).

-- Children followed at 31/12 outside the 0-20 scope of the ASE indicators
-- (an open measure past 21, a birth date after the measure's start…).
-- reads: raw.ase_measures
CREATE OR REPLACE TABLE core.quality_ase AS
WITH ase_file AS (
    SELECT dep, min(coalesce(rel_path, path)) AS file
    FROM meta.files WHERE kind = 'ase' AND status = 'loaded' GROUP BY dep
),
ase_scope AS (
    SELECT 'ase' AS source, s.dep, f.file, s.year AS period,
           'âge au 31/12 hors du champ 0-20 ans : enfant non compté' AS rule,
           'ase_apjm, ase_children_accueil, ase_children_by_mode, ase_children_followed, ase_foster_family_share, ase_long_measures' AS indicators,
           count(*) AS count, 'enfants' AS unit,
           min('âge ' || s.age || ' ans au 31/12/' || s.year || ', territoire ' || s.territory
               || ', ' || s.measures || ' mesure(s) en cours') AS example
    FROM core.ase_situation s LEFT JOIN ase_file f USING (dep)
    WHERE s.age_band IS NULL
    GROUP BY ALL
)
SELECT source::VARCHAR AS source, dep::VARCHAR AS dep, file::VARCHAR AS file, period::INTEGER AS period, rule::VARCHAR AS rule,
       indicators::VARCHAR AS indicators, count::BIGINT AS count, unit::VARCHAR AS unit, example::VARCHAR AS example
FROM ase_scope;

-- PMI months a territory did not send (every territory of the mapping is
-- expected every month): the département's totals are incomplete.
CREATE OR REPLACE TABLE core.quality_pmi AS
WITH pmi_months AS (
    SELECT e.dep, e.year, m.territory, mo.month
    FROM core.pmi_expected e
    JOIN (SELECT DISTINCT dep, territory FROM core.territories
          UNION SELECT DISTINCT dep, territory FROM core.pmi_monthly) m USING (dep)
    CROSS JOIN (SELECT unnest(range(1, 13)) AS month) mo
    WHERE NOT EXISTS (SELECT 1 FROM core.pmi_monthly p
                      WHERE p.dep = e.dep AND p.year = e.year AND p.territory = m.territory AND p.month = mo.month)
),
pmi_missing AS (
    SELECT 'pmi' AS source, dep, NULL AS file, year AS period,
           'mois non transmis par un territoire : totaux du département « incomplete »' AS rule,
           'pmi_*' AS indicators, sum(n) AS count, 'mois' AS unit,
           min(territory || ' : ' || n || ' mois manquant(s)') AS example
    FROM (SELECT dep, year, territory, count(*) AS n FROM pmi_months GROUP BY ALL)
    GROUP BY dep, year
)
SELECT source::VARCHAR AS source, dep::VARCHAR AS dep, file::VARCHAR AS file, period::INTEGER AS period, rule::VARCHAR AS rule,
       indicators::VARCHAR AS indicators, count::BIGINT AS count, unit::VARCHAR AS unit, example::VARCHAR AS example
FROM pmi_missing;

-- Prévention spécialisée: TRAJECT activities replaced by a later export or
-- set aside for an annual report; expected services that did not report.
-- reads: raw.activity_hours
CREATE OR REPLACE TABLE core.quality_prevention AS
WITH traject_kept AS (SELECT file_id, service_code, year, count(*) AS n FROM core.traject_activity GROUP BY ALL),
traject_replaced AS (
    SELECT 'traject' AS source, h.dep, coalesce(f.rel_path, f.path) AS file, h.year AS period,
           'activité remplacée par un export TRAJECT ultérieur couvrant ses dates' AS rule,
           'prev_hours, prev_hours_share' AS indicators,
           sum(h.n - coalesce(k.n, 0)) AS count, 'activités' AS unit,
           min(h.service_code) AS example
    FROM (SELECT file_id, dep, service_code, year, count(*) AS n FROM raw.activity_hours
          WHERE source = 'traject' GROUP BY ALL) h
    JOIN meta.files f USING (file_id)
    LEFT JOIN traject_kept k USING (file_id, service_code, year)
    WHERE h.n > coalesce(k.n, 0)
    GROUP BY ALL
),
-- TRAJECT hours of a service and year that has an annual report.
traject_reported AS (
    SELECT 'traject' AS source, t.dep, coalesce(f.rel_path, f.path) AS file, t.year AS period,
           'heures TRAJECT non retenues : le rapport d''activité annuel du service prime' AS rule,
           'prev_hours, prev_hours_share' AS indicators,
           count(*) AS count, 'activités' AS unit, min(t.service_code || ' ' || t.year) AS example
    FROM core.traject_activity t
    JOIN core.activity_services s USING (dep, service_code, year)
    JOIN meta.files f ON f.file_id = t.file_id
    GROUP BY ALL
),
-- Services that reported the year before and not this year.
services_missing AS (
    SELECT 'prevention' AS source, dep, NULL AS file, year AS period,
           CASE basis WHEN 'hours' THEN 'service attendu sans heures déclarées : total des services « incomplete »'
                      ELSE 'service attendu sans rapport d''activité : total des services « incomplete »' END AS rule,
           CASE basis WHEN 'hours' THEN 'prev_hours, prev_hours_share'
                      ELSE 'prev_collective_actions, prev_collective_participants, prev_young_accompanied' END AS indicators,
           services_missing AS count, 'services' AS unit, array_to_string(missing, ', ') AS example
    FROM core.activity_completeness WHERE services_missing > 0
)
SELECT source::VARCHAR AS source, dep::VARCHAR AS dep, file::VARCHAR AS file, period::INTEGER AS period, rule::VARCHAR AS rule,
       indicators::VARCHAR AS indicators, count::BIGINT AS count, unit::VARCHAR AS unit, example::VARCHAR AS example
FROM (SELECT * FROM traject_replaced
      UNION ALL BY NAME SELECT * FROM traject_reported
      UNION ALL BY NAME SELECT * FROM services_missing);

-- Files rejected or found to be duplicates, as they stand (their latest
-- registration): none of their rows is loaded.
-- reads: meta.files
CREATE OR REPLACE TABLE core.quality_files AS
WITH files AS (
    SELECT DISTINCT ON (job, coalesce(rel_path, path)) kind, dep, coalesce(rel_path, path) AS file, status, error
    FROM meta.files ORDER BY job, coalesce(rel_path, path), file_id DESC
),
bad_files AS (
    SELECT kind AS source, dep, file, NULL AS period,
           CASE status WHEN 'rejected' THEN 'fichier rejeté : aucune de ses lignes n''est chargée'
                       ELSE 'doublon d''un fichier déjà chargé : non chargé' END AS rule,
           NULL AS indicators, 1 AS count, 'fichiers' AS unit, error AS example
    FROM files WHERE status IN ('rejected', 'duplicate')
)
SELECT source::VARCHAR AS source, dep::VARCHAR AS dep, file::VARCHAR AS file, period::INTEGER AS period, rule::VARCHAR AS rule,
       indicators::VARCHAR AS indicators, count::BIGINT AS count, unit::VARCHAR AS unit, example::VARCHAR AS example
FROM bad_files;

-- Rows left out of the indicators by their scope or by a data problem:
-- source, département, file, year, rule, indicators concerned, count, unit
-- and one example without identifiers.
CREATE OR REPLACE TABLE core.quality_issues AS
SELECT * FROM (SELECT * FROM core.quality_ase
      UNION ALL SELECT * FROM core.quality_pmi
      UNION ALL SELECT * FROM core.quality_prevention
      UNION ALL SELECT * FROM core.quality_files)
ORDER BY source, dep, period DESC NULLS FIRST, rule, file;
