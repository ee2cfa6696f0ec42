-- 0013_crip_offer: informations préoccupantes (the CRIP's register), the
-- offer of care (foster carers, establishments) and where each accueil of
-- the ASE extract takes place. Same rules as 0002_raw: no name, file
-- number, IP number, employee number or exact birth date lands here.

-- 6. CRIP register (dated full snapshot: the latest file supersedes the
-- others). One row per child per IP. ip_id and child_id are keyed
-- pseudonyms (child_id the same as in raw.ase_measures, so IPs join
-- measures; ip_id in a domain of its own). Birth year and month are NULL
-- for an unborn child. snapshot_date is the date in the file's name.
CREATE TABLE raw.crip_ips (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    snapshot_date DATE NOT NULL,
    ip_id VARCHAR NOT NULL, child_id VARCHAR NOT NULL,
    birth_year INTEGER, birth_month INTEGER,
    sex VARCHAR,                      -- F | M | NULL (unborn child)
    commune VARCHAR, territory VARCHAR NOT NULL,
    received DATE NOT NULL,
    origin VARCHAR NOT NULL,          -- canonical Origine of SOURCES.md §6
    danger VARCHAR NOT NULL,          -- canonical Danger principal
    evaluated DATE,                   -- end of the evaluation; NULL while it runs
    outcome VARCHAR,                  -- canonical Suite donnée; NULL while it runs
    prosecutor_date DATE              -- transmission to the prosecutor
);

-- 7a. Foster carers (HR export, dated snapshot superseding the previous).
-- carer_id is the keyed pseudonym of the Matricule (its own domain); only
-- the birth year is kept.
CREATE TABLE raw.foster_carers (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    snapshot_date DATE NOT NULL,
    carer_id VARCHAR NOT NULL, birth_year INTEGER NOT NULL,
    commune VARCHAR, territory VARCHAR NOT NULL,
    approval_date DATE NOT NULL, places INTEGER NOT NULL,
    hire_date DATE NOT NULL, end_date DATE, end_reason VARCHAR
);

-- 7b. Establishments and services authorised for the ASE: one yearly list
-- (list_year, from the file's name) per département; a later file for the
-- same year replaces the earlier one.
CREATE TABLE raw.establishments (
    file_id BIGINT NOT NULL, dep VARCHAR NOT NULL,
    list_year INTEGER NOT NULL,
    finess VARCHAR NOT NULL, name VARCHAR,
    category VARCHAR NOT NULL,        -- canonical Catégorie of SOURCES.md §7b
    commune VARCHAR, territory VARCHAR NOT NULL,
    places INTEGER NOT NULL, opened DATE NOT NULL, closed DATE
);

-- 7c. Where an accueil takes place (optional columns of the ASE extract).
-- placement_columns says whether the file had them: without them the
-- indicators of placements outside the territory are incomplete.
ALTER TABLE raw.ase_measures ADD COLUMN placement_commune VARCHAR;
ALTER TABLE raw.ase_measures ADD COLUMN placement_finess VARCHAR;
ALTER TABLE raw.ase_measures ADD COLUMN placement_columns BOOLEAN;
