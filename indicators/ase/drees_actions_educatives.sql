-- Département level only, as the survey asks (a territory breakdown
-- would be protected for nothing, as a table one dimension larger).
-- AED and AEMO of minors at 31/12, as the DREES enquête Aide sociale
-- counts its actions éducatives: a child with an AED and an AEMO counts
-- once in each, and "Ensemble" is their sum (the measures, not the
-- children). Minors only: each kind's total is then the numerator of
-- ase_aed_aemo_rate, the same cell; with the 18-20 year olds, the
-- minors' sub-total would be a margin the protection does not know (the
-- strong audit recovered 8 cells at département scale that way).
WITH f AS (
    SELECT f.dep, f.year, f.provisional, f.aed, f.aemo, s.sex, s.age_band
    FROM core.ase_frames f
    JOIN core.ase_situation s USING (dep, year, child_id)
    WHERE f.age BETWEEN 0 AND 17 AND s.age_band IS NOT NULL AND (f.aed OR f.aemo)
),
k AS (
    SELECT dep, year, provisional, sex, age_band, 'AED' AS kind FROM f WHERE aed
    UNION ALL
    SELECT dep, year, provisional, sex, age_band, 'AEMO' FROM f WHERE aemo
)
SELECT dep, year AS period,
       'Ensemble' AS territory,
       coalesce(kind, 'Ensemble') AS category,
       coalesce(sex, 'Ensemble') AS sex,
       coalesce(age_band, 'Ensemble') AS age_band,
       count(*) AS numerator,
       CASE WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM k
GROUP BY dep, year, CUBE (kind, sex, age_band)
