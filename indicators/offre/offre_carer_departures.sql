SELECT y.dep, y.year AS period, coalesce(f.territory, 'Ensemble') AS territory,
       coalesce(f.reason, 'Ensemble') AS category,
       count(*) AS numerator, CASE WHEN bool_or(y.provisional) THEN 'provisional' ELSE 'final' END AS status
FROM core.foster_carer_years y
JOIN (SELECT *, coalesce(end_reason, 'Non renseigné') AS reason FROM core.foster_carers) f
  ON f.dep = y.dep AND year(f.end_date) = y.year
GROUP BY y.dep, y.year, CUBE (f.territory, f.reason)
