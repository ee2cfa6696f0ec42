package extract

// The code lists of SOURCES.md, with their canonical spellings. Files may
// write them in any case and with or without accents: match with Canonical.

// ActivityCategories are the six categories of a prévention spécialisée
// service's hours.
var ActivityCategories = []string{
	"Présence sociale",
	"Actions collectives",
	"Actions individuelles",
	"Actions partenariales",
	"Ressources humaines",
	"Formation",
}

// PublicAgeBands are the age bands of the `Public` sheet of activity reports.
var PublicAgeBands = []string{
	"Moins de 11 ans", "11-13 ans", "14-15 ans", "16-17 ans", "18-21 ans", "22-25 ans",
}

// MeasureNatures are the natures of ASE measures. Every nature but AED and
// AEMO is an accueil (placement).
var MeasureNatures = []string{
	"AED",
	"AEMO",
	"Accueil provisoire",
	"Placement judiciaire",
	"Accueil provisoire jeune majeur",
	"Tutelle / délégation d'autorité parentale",
	"Pupille de l'État",
	"Accueil d'urgence 72h",
	"Mise à l'abri MNA",
}

// MeasureFrames are the legal frames of ASE measures.
var MeasureFrames = []string{"Administratif", "Judiciaire"}

// AccueilModes are the modes d'accueil of ASE measures.
var AccueilModes = []string{
	"Assistant familial",
	"Établissement (MECS)",
	"Lieu de vie et d'accueil",
	"Foyer de jeunes travailleurs",
	"Logement autonome",
	"Tiers digne de confiance",
	"Centre maternel",
	"Accueil de jour",
}

// AdoptionEvents are the procedural events of the adoption service.
var AdoptionEvents = []string{
	"Requête art. 350 (déclaration judiciaire d'abandon)",
	"Requête art. 381-1 (délaissement parental)",
	"Requête art. 378-1 (retrait de l'autorité parentale)",
	"PV de remise",
	"Admission pupille",
	"Placement en vue d'adoption",
	"Jugement d'adoption",
}

// IPOrigins are the origins of an information préoccupante (SOURCES.md §6).
var IPOrigins = []string{
	"Éducation nationale",
	"SNATED (119)",
	"Services départementaux",
	"Établissement de santé",
	"Professionnel de santé libéral",
	"Police / gendarmerie",
	"Autorité judiciaire",
	"Famille / entourage",
	"Mineur lui-même",
	"Anonyme",
	"Autre département",
	"Autre",
}

// IPDangers are the main dangers an information préoccupante reports.
var IPDangers = []string{
	"Violences physiques",
	"Violences psychologiques",
	"Violences sexuelles",
	"Négligences lourdes",
	"Conditions d'éducation compromises",
	"Conditions de vie compromises",
	"Comportements du mineur mettant en danger",
	"Autre",
}

// IPOutcomes are what follows an information préoccupante's evaluation.
var IPOutcomes = []string{
	"Classement sans suite",
	"Accompagnement hors protection de l'enfance",
	"Prestation administrative",
	"Signalement au procureur",
	"Information au juge des enfants déjà saisi",
	"Transmission à un autre département",
}

// CarerEndReasons are the reasons a foster carer's contract ended.
var CarerEndReasons = []string{"Retraite", "Démission", "Licenciement", "Décès", "Autre"}

// EstablishmentCategories are the categories of establishments and
// services authorised for the ASE (SOURCES.md §7b).
var EstablishmentCategories = []string{
	"MECS",
	"Foyer de l'enfance",
	"Pouponnière",
	"Village d'enfants",
	"Lieu de vie et d'accueil",
	"Centre maternel",
	"Service d'accueil de jour",
	"Service d'AEMO / AED",
	"Service de placement familial",
}

// Canonical returns the entry of list that s spells, ignoring case, accents
// and spacing (see Normalize).
func Canonical(list []string, s string) (string, bool) {
	n := Normalize(s)
	for _, c := range list {
		if Normalize(c) == n {
			return c, true
		}
	}
	return "", false
}
