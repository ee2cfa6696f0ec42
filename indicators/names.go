package indicators

import (
	"strings"
	"unicode/utf8"
)

// DimensionNames are the French names of the territory and of each
// breakdown of Dimensions, as a heading: the one table the workbooks'
// column headers, the SDMX structure's concepts and the data dictionary
// take them from (DimensionName).
var DimensionNames = map[string]string{
	"territory": "Territoire",
	"service":   "Service",
	"category":  "Catégorie",
	"public":    "Public",
	"sex":       "Sexe",
	"age_band":  "Tranche d'âge",
	"mode":      "Mode d'accueil",
	"event":     "Événement",
}

// DimensionName is the French name of a breakdown (or of "territory"),
// as a heading; a breakdown the table does not know is named after its
// identifier ("age_band" would be "Age band").
func DimensionName(name string) string {
	if l, ok := DimensionNames[name]; ok {
		return l
	}
	l := strings.ReplaceAll(name, "_", " ")
	r, n := utf8.DecodeRuneInString(l)
	return strings.ToUpper(string(r)) + l[n:]
}

// DimensionNameInText is DimensionName within a sentence: its first
// letter in lower case ("tranche d'âge").
func DimensionNameInText(name string) string {
	l := DimensionName(name)
	r, n := utf8.DecodeRuneInString(l)
	return strings.ToLower(string(r)) + l[n:]
}
