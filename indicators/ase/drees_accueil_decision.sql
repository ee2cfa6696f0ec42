-- Children accueillis at 31/12 by the decision of their main accueil and
-- its mode d'hébergement, in the categories of the DREES enquête Aide
-- sociale (volet ASE). The main accueil is core.ase_situation's (the one
-- whose mode ase_children_by_mode counts): accueil_nature is its nature.
-- By territory too, though the survey is by département: its modes
-- d'hébergement are sums of ase_children_by_mode's, which insee publishes
-- by territory, and the protection, which protects tables linked by such
-- sums one at a time, needs them at the same places (at département level
-- only, the strong audit recovered a territory's cell of
-- ase_children_by_mode on the small demo).
WITH a AS (
    SELECT dep, year, territory, provisional,
           CASE
               WHEN accueil_nature = 'Accueil provisoire' THEN 'Accueils provisoires de mineurs'
               WHEN accueil_nature = 'Accueil provisoire jeune majeur' THEN 'Accueils provisoires de jeunes majeurs'
               WHEN accueil_nature = 'Pupille de l''État' THEN 'Pupilles de l''État'
               WHEN accueil_nature IN ('Accueil d''urgence 72h', 'Mise à l''abri MNA') THEN 'Accueils d''urgence et mises à l''abri'
               WHEN accueil_nature = 'Placement judiciaire' AND mode_accueil = 'Tiers digne de confiance' THEN 'Placements directs par le juge'
               WHEN accueil_nature = 'Placement judiciaire' THEN 'Placements à l''ASE par le juge'
               WHEN accueil_nature = 'Tutelle / délégation d''autorité parentale' THEN 'Tutelles et délégations d''autorité parentale'
               ELSE coalesce(accueil_nature, 'Non renseignée')
           END AS decision,
           CASE
               WHEN mode_accueil IS NULL THEN 'Non renseigné'
               WHEN mode_accueil = 'Assistant familial' THEN 'Familles d''accueil'
               WHEN mode_accueil IN ('Établissement (MECS)', 'Centre maternel', 'Lieu de vie et d''accueil') THEN 'Établissements'
               WHEN mode_accueil IN ('Logement autonome', 'Foyer de jeunes travailleurs') THEN 'Adolescents et jeunes majeurs autonomes'
               ELSE 'Autres modes d''hébergement'
           END AS hebergement
    FROM core.ase_situation
    WHERE in_accueil AND age_band IS NOT NULL
)
SELECT dep, year AS period,
       coalesce(territory, 'Ensemble') AS territory,
       coalesce(decision, 'Ensemble') AS category,
       coalesce(hebergement, 'Ensemble') AS mode,
       count(*) AS numerator,
       CASE WHEN bool_or(provisional) THEN 'provisional' ELSE 'final' END AS status
FROM a
GROUP BY dep, year, CUBE (territory, decision, hebergement)
