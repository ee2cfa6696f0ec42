-- 04_crip_offer: informations préoccupantes (the CRIP's register), the
-- offer of care (foster carers, establishments), and what the ASE extract
-- says of each child's frame (administrative or judicial), aides à
-- domicile and place of accueil at 31 December.

-- CRIP: the latest snapshot supersedes earlier ones (raw keeps only it).
-- One row per child per IP.
CREATE OR REPLACE TABLE core.crip_ips AS
SELECT c.* EXCLUDE (file_id)
FROM raw.crip_ips c JOIN loaded_files USING (file_id);

-- Years the register covers, from its first reception to its snapshot:
-- the values of a year that had not ended on the snapshot's date are
-- provisional.
CREATE OR REPLACE TABLE core.crip_years AS
SELECT dep, y.year, make_date(y.year, 12, 31) AS ref_date,
       make_date(y.year, 12, 31) > snapshot_date AS provisional, snapshot_date
FROM (SELECT dep, min(year(received)) AS first_year, max(snapshot_date) AS snapshot_date
      FROM core.crip_ips GROUP BY dep) c
CROSS JOIN LATERAL (SELECT unnest(range(c.first_year, year(c.snapshot_date) + 1)) AS year) y;

-- One row per IP. An IP about several children (siblings) has one
-- reception, origin and danger; its territory is the first of its rows in
-- code order; its evaluation has ended when every child's has (on the
-- latest date); its outcome is the most serious of its children's, in the
-- order: prosecutor, judge already seized, administrative help,
-- transmission to another département, support outside child protection,
-- dismissed.
CREATE OR REPLACE TABLE core.crip_ip_summary AS
SELECT dep, ip_id, year(min(received)) AS year, min(received) AS received,
       min(territory) AS territory, min(origin) AS origin, min(danger) AS danger,
       count(*) AS children,
       CASE WHEN count(evaluated) = count(*) THEN max(evaluated) END AS evaluated,
       CASE WHEN count(outcome) = count(*) THEN
           arg_max(outcome, CASE outcome
               WHEN 'Signalement au procureur' THEN 6
               WHEN 'Information au juge des enfants déjà saisi' THEN 5
               WHEN 'Prestation administrative' THEN 4
               WHEN 'Transmission à un autre département' THEN 3
               WHEN 'Accompagnement hors protection de l''enfance' THEN 2
               ELSE 1 END) END AS outcome,
       min(prosecutor_date) AS prosecutor_date
FROM core.crip_ips GROUP BY dep, ip_id;

-- Foster carers: the latest HR snapshot (raw keeps only it).
CREATE OR REPLACE TABLE core.foster_carers AS
SELECT f.* EXCLUDE (file_id)
FROM raw.foster_carers f JOIN loaded_files USING (file_id);

-- Years the HR export covers, from the first hiring to its snapshot.
CREATE OR REPLACE TABLE core.foster_carer_years AS
SELECT dep, y.year, make_date(y.year, 12, 31) AS ref_date,
       make_date(y.year, 12, 31) > snapshot_date AS provisional
FROM (SELECT dep, min(year(hire_date)) AS first_year, max(snapshot_date) AS snapshot_date
      FROM core.foster_carers GROUP BY dep) f
CROSS JOIN LATERAL (SELECT unnest(range(f.first_year, year(f.snapshot_date) + 1)) AS year) y;

-- Establishments: for each département and year, the list of the latest
-- file of that year (a rectified list replaces the first).
CREATE OR REPLACE TABLE core.establishments AS
WITH per_file AS (
    SELECT e.*, f.precedence,
           max(f.precedence) OVER (PARTITION BY e.dep, e.list_year) AS best
    FROM raw.establishments e JOIN loaded_files f USING (file_id)
)
SELECT * EXCLUDE (file_id, precedence, best) FROM per_file WHERE precedence = best;

-- The mode d'accueil of the ASE extract that a category of establishment
-- offers places for (NULL: none, as a day centre or an AEMO service).
CREATE OR REPLACE MACRO core.establishment_mode(category) AS
    CASE WHEN category IN ('MECS', 'Foyer de l''enfance', 'Pouponnière', 'Village d''enfants') THEN 'Établissement (MECS)'
         WHEN category = 'Lieu de vie et d''accueil' THEN 'Lieu de vie et d''accueil'
         WHEN category = 'Centre maternel' THEN 'Centre maternel'
         WHEN category = 'Service de placement familial' THEN 'Assistant familial' END;

-- Each child followed at 31/12/N with what the situation table does not
-- carry: a judicial measure, an AED, an AEMO ongoing that day, and where
-- the current accueil (started last, then highest measure id, as for the
-- mode d'accueil) takes place. placement_known is false when the extract
-- has no placement columns (SOURCES.md §7c).
CREATE OR REPLACE TABLE core.ase_frames AS
WITH measure_years AS (
    SELECT m.dep, m.child_id, m.territory, m.birth_year, m.nature, m.cadre, m.is_accueil,
           m.placement_commune, m.placement_finess, coalesce(m.placement_columns, false) AS placement_columns,
           strftime(m.start_date, '%Y%m%d') || m.measure_id AS latest,
           unnest(range(year(m.start_date),
                  CASE WHEN m.end_date IS NULL THEN year(e.extract_date)
                       WHEN month(m.end_date) = 12 AND day(m.end_date) = 31 THEN year(m.end_date)
                       ELSE year(m.end_date) - 1 END + 1)) AS year
    FROM core.ase_measures m JOIN core.ase_extract e USING (dep)
)
SELECT dep, year, provisional, child_id, territory, age, judicial, aed, aemo, in_accueil,
       place.commune AS placement_commune, place.finess AS placement_finess, placement_known
FROM (
SELECT m.dep, m.year, y.provisional, m.child_id,
       arg_max(m.territory, m.latest) AS territory,
       m.year - any_value(m.birth_year) AS age,
       bool_or(m.cadre = 'Judiciaire') AS judicial,
       bool_or(m.nature = 'AED') AS aed,
       bool_or(m.nature = 'AEMO') AS aemo,
       bool_or(m.is_accueil) AS in_accueil,
       -- A struct, never NULL: arg_max skips the rows whose argument is
       -- NULL, and an empty commune is the current accueil's too.
       arg_max({'commune': m.placement_commune, 'finess': m.placement_finess}, m.latest)
           FILTER (WHERE m.is_accueil) AS place,
       bool_and(m.placement_columns) AS placement_known
FROM measure_years m
JOIN core.ase_years y USING (dep, year)
GROUP BY m.dep, m.year, y.provisional, m.child_id
);

-- Each child concerned by at least one IP received in year N, once: the
-- territory, sex and birth year of their latest IP of the year; age at
-- 31/12/N = N − birth year; an unborn child (no birth date, or born after
-- 31/12/N) is « À naître ».
CREATE OR REPLACE TABLE core.crip_children AS
SELECT dep, year, child_id,
       struct_extract(latest, 'territory') AS territory,
       struct_extract(latest, 'sex') AS sex,
       CASE WHEN struct_extract(latest, 'birth_year') <= year THEN year - struct_extract(latest, 'birth_year') END AS age,
       CASE WHEN struct_extract(latest, 'birth_year') IS NULL OR struct_extract(latest, 'birth_year') > year THEN 'À naître'
            ELSE coalesce(core.ase_age_band(year - struct_extract(latest, 'birth_year')), '21 ans et plus') END AS age_band,
       first_received, ips
FROM (SELECT dep, year(received) AS year, child_id,
             arg_max({'territory': territory, 'sex': coalesce(sex, 'Non renseigné'), 'birth_year': birth_year},
                     strftime(received, '%Y%m%d') || ip_id) AS latest,
             min(received) AS first_received, count(DISTINCT ip_id) AS ips
      FROM core.crip_ips GROUP BY dep, year(received), child_id);
