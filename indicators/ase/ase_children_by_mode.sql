SELECT dep, year AS period,
       coalesce(territory, 'Ensemble') AS territory,
       coalesce(mode, 'Ensemble') AS mode,
       count(*) AS numerator,
       CASE WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM (SELECT *, coalesce(mode_accueil, 'Non renseigné') AS mode FROM core.ase_situation
      WHERE in_accueil AND age_band IS NOT NULL)
GROUP BY dep, year, CUBE (territory, mode)
