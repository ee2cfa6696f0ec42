SELECT y.dep, y.year AS period, coalesce(f.territory, 'Ensemble') AS territory,
       count(*) AS numerator, CASE WHEN bool_or(y.provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.foster_carer_years y JOIN core.foster_carers f ON f.dep = y.dep AND year(f.hire_date) = y.year
GROUP BY y.dep, y.year, ROLLUP (f.territory)
