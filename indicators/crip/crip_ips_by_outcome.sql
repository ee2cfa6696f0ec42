SELECT y.dep, y.year AS period,
       coalesce(s.territory, 'Ensemble') AS territory,
       coalesce(s.event, 'Ensemble') AS event,
       count(*) AS numerator,
       CASE WHEN bool_or(y.provisional OR s.evaluated IS NULL) THEN 'provisional' ELSE 'final' END AS status
FROM core.crip_years y
JOIN (SELECT *, coalesce(outcome, 'Évaluation en cours') AS event FROM core.crip_ip_summary) s
  ON s.dep = y.dep AND s.year = y.year
GROUP BY y.dep, y.year, CUBE (s.territory, s.event)
