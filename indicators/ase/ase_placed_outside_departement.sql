WITH f AS (
    SELECT a.dep, a.year, a.provisional, a.territory, a.placement_known,
           coalesce(t.territory, e.territory) AS place_territory,
           left(coalesce(a.placement_commune, a.placement_finess),
                CASE WHEN coalesce(a.placement_commune, a.placement_finess) LIKE '97%' THEN 3 ELSE 2 END) AS place_dep
    FROM core.ase_frames a
    LEFT JOIN core.territories t ON t.dep = a.dep AND t.commune = a.placement_commune
    LEFT JOIN (SELECT DISTINCT ON (dep, finess) dep, finess, territory
               FROM core.establishments ORDER BY dep, finess, list_year DESC) e
      ON e.dep = a.dep AND e.finess = a.placement_finess AND a.placement_commune IS NULL
    WHERE a.in_accueil AND a.age BETWEEN 0 AND 20
)
SELECT dep, year AS period, coalesce(territory, 'Ensemble') AS territory,
       CASE WHEN bool_and(placement_known) THEN count(*) FILTER (WHERE place_dep <> dep) END AS numerator,
       CASE WHEN bool_and(placement_known) THEN count(place_dep) END AS denominator,
       CASE WHEN NOT bool_and(placement_known) THEN 'incomplete'
            WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM f GROUP BY dep, year, ROLLUP (territory)
