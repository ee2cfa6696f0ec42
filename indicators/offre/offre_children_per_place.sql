WITH years AS (
    SELECT DISTINCT dep, list_year AS year FROM core.establishments
    INTERSECT SELECT dep, year FROM core.foster_carer_years
    INTERSECT SELECT dep, year FROM core.ase_years
),
offer AS (
    SELECT e.dep, e.list_year AS year, e.territory, core.establishment_mode(e.category) AS mode, e.places
    FROM core.establishments e
    WHERE e.opened <= make_date(e.list_year, 12, 31)
      AND (e.closed IS NULL OR e.closed > make_date(e.list_year, 12, 31))
    UNION ALL
    SELECT y.dep, y.year, f.territory, 'Assistant familial', f.places
    FROM core.foster_carer_years y
    JOIN core.foster_carers f ON f.dep = y.dep AND f.hire_date <= y.ref_date
     AND (f.end_date IS NULL OR f.end_date >= y.ref_date)
),
places AS (
    SELECT o.dep, o.year, coalesce(o.territory, 'Ensemble') AS territory, coalesce(o.mode, 'Ensemble') AS mode,
           sum(o.places) AS places
    FROM offer o SEMI JOIN years y ON y.dep = o.dep AND y.year = o.year
    WHERE o.mode IS NOT NULL
    GROUP BY o.dep, o.year, CUBE (o.territory, o.mode)
),
children AS (
    SELECT dep, year, coalesce(territory, 'Ensemble') AS territory, coalesce(mode_accueil, 'Ensemble') AS mode,
           count(*) AS children, bool_or(provisional) AS provisional
    FROM core.ase_situation
    WHERE in_accueil AND age_band IS NOT NULL
      AND mode_accueil IN ('Assistant familial', 'Établissement (MECS)', 'Lieu de vie et d''accueil', 'Centre maternel')
    GROUP BY dep, year, CUBE (territory, mode_accueil)
)
SELECT p.dep, p.year AS period, p.territory, p.mode,
       coalesce(c.children, 0) AS numerator, p.places AS denominator,
       CASE WHEN c.provisional THEN 'provisional' ELSE 'final' END AS status
FROM places p
LEFT JOIN children c ON c.dep = p.dep AND c.year = p.year AND c.territory = p.territory AND c.mode = p.mode
WHERE p.places > 0
