-- 0002_raw: one table per source family, as the files say it, typed.
-- Columns after file_id (dep first) are filled by the extract jobs in this
-- order (pipelines/extract Sink.Append). No name, file number or exact birth
-- date of a child ever lands here: identifiers are keyed pseudonyms.

-- Territory mapping: commune -> MDS territory.
CREATE TABLE raw.territories (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    commune VARCHAR NOT NULL, commune_label VARCHAR,
    territory VARCHAR NOT NULL, territory_label VARCHAR
);

-- 1a. Annual activity report workbook: identification sheet.
CREATE TABLE raw.activity_reports (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    service_code VARCHAR NOT NULL, year INTEGER NOT NULL,
    service_name VARCHAR, association VARCHAR, territory VARCHAR NOT NULL,
    communes VARCHAR, fte DOUBLE, collective_actions INTEGER
);

-- 1a/1b. Hours by category: one row per category of a workbook, or per
-- logged activity of the TRAJECT planning (source = 'rapport' | 'traject').
CREATE TABLE raw.activity_hours (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    service_code VARCHAR NOT NULL, year INTEGER NOT NULL,
    category VARCHAR NOT NULL,        -- one of the six canonical categories
    hours DOUBLE NOT NULL,
    source VARCHAR NOT NULL,
    activity_date DATE,               -- TRAJECT only
    activity_label VARCHAR,           -- TRAJECT only: the software's label
    commune VARCHAR                   -- TRAJECT only
);

-- 1a. Public of the service: young people accompanied individually
-- (public = 'individuel') and participants in collective actions
-- (public = 'collectif'), by age band and sex.
CREATE TABLE raw.activity_public (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    service_code VARCHAR NOT NULL, year INTEGER NOT NULL,
    public VARCHAR NOT NULL, age_band VARCHAR NOT NULL,
    sex VARCHAR NOT NULL,             -- F | M
    persons INTEGER NOT NULL
);

-- 2. PMI monthly counts. NULL = not reported (not zero).
CREATE TABLE raw.pmi_monthly (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    territory VARCHAR NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL,
    epp INTEGER, epp_followed INTEGER, epp_referred INTEGER,
    puer_contacts INTEGER, puer_maternity INTEGER,
    sf_contacts INTEGER, sf_maternity INTEGER,
    bilan_sessions INTEGER, bilan_children INTEGER
);

-- 3. ASE measures (nightly full extract). child_id and measure_id are keyed
-- pseudonyms; the birth date is reduced to year and month.
CREATE TABLE raw.ase_measures (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    child_id VARCHAR NOT NULL, birth_year INTEGER NOT NULL, birth_month INTEGER NOT NULL,
    sex VARCHAR NOT NULL,             -- F | M
    commune VARCHAR, territory VARCHAR NOT NULL,
    measure_id VARCHAR NOT NULL, nature VARCHAR NOT NULL, cadre VARCHAR NOT NULL,
    mode_accueil VARCHAR, start_date DATE NOT NULL, end_date DATE, end_reason VARCHAR
);

-- 4. Adoption and pupilles events.
CREATE TABLE raw.adoption_events (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    child_id VARCHAR NOT NULL, event_date DATE NOT NULL,
    event VARCHAR NOT NULL,           -- canonical event label of SOURCES.md
    jurisdiction VARCHAR
);

-- 5. INSEE population estimates at 1 January (Melodi layout), by sex and
-- five-year band; geo_level 'DEP' (dep = the département) or 'TERR'
-- (territory-level population derived by the observatory).
CREATE TABLE raw.population (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    geo_level VARCHAR NOT NULL, geo VARCHAR NOT NULL,
    year INTEGER NOT NULL, sex VARCHAR NOT NULL,   -- F | M | _T
    age_band VARCHAR NOT NULL,                    -- Y0T4 … Y_GE100, _T
    age_min INTEGER, age_max INTEGER,             -- NULL for _T; age_max NULL for Y_GE100
    population DOUBLE NOT NULL
);

-- 5. INSEE births, counted at load by year, month, mother's département of
-- residence (dep, '99' abroad) and sex of the child.
CREATE TABLE raw.births (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    year INTEGER NOT NULL, month INTEGER, sex VARCHAR,
    births BIGINT NOT NULL
);
