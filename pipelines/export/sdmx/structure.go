package sdmx

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/odpe/odpe/indicators"
	"github.com/odpe/odpe/pipelines/export"
)

// Structure is what the SDMX-ML 3.0 structure message of a dataset
// declares: the dataflow named by the dataset's STRUCTURE_ID, its data
// structure, the concepts of its columns and a code list for each coded
// dimension and attribute, with every code its lines use.
type Structure struct {
	Agency, Flow, Version string
	Name                  string
	Prepared              time.Time
	Concepts              []Item     // in the order of the columns
	Dimensions            []Column   // FREQ, INDICATOR, REF_AREA, then the breakdowns
	Attributes            []Column   // UNIT_MEASURE, OBS_STATUS, CONF_STATUS
	Codelists             []Codelist // one per column of Dimensions and Attributes
}

// Item is a concept or a code: an id and its name in French.
type Item struct{ ID, Name string }

// Column is a dimension or attribute and its code list.
type Column struct{ ID, Codelist string }

// Codelist is a code list of the structure.
type Codelist struct {
	ID, Name string
	Codes    []Item
}

// DSD and ConceptScheme are the ids of the data structure and concept
// scheme, derived from the dataflow's.
func (s *Structure) DSD() string           { return "DSD_" + strings.TrimPrefix(s.Flow, "DF_") }
func (s *Structure) ConceptScheme() string { return "CS_" + strings.TrimPrefix(s.Flow, "DF_") }

var structureIDRe = regexp.MustCompile(`^([A-Za-z0-9_@$-]+):([A-Za-z0-9_@$-]+)\(([0-9]+(?:\.[0-9]+)*)\)$`)

// conceptNames name the fixed columns in French; the breakdowns are
// named by the table every file shares (indicators.DimensionNames).
var conceptNames = map[string]string{
	"FREQ":         "Fréquence",
	"INDICATOR":    "Indicateur",
	"REF_AREA":     "Zone de référence (département ou territoire)",
	"TIME_PERIOD":  "Période (année)",
	"OBS_VALUE":    "Valeur de l'observation",
	"UNIT_MEASURE": "Unité de mesure",
	"OBS_STATUS":   "Statut de l'observation",
	"CONF_STATUS":  "Statut de confidentialité",
}

// Names of the codes of the fixed code lists.
var (
	unitNames = map[string]string{
		"PERS": "Personnes (effectif)", "PT": "Pourcentage", "PER_1000": "Pour 1 000",
		"PER_100000": "Pour 100 000", "DAYS": "Jours", "HOURS": "Heures", "RATIO": "Rapport",
	}
	statusNames = map[string]string{
		StatusNormal:      "Valeur normale",
		StatusProvisional: "Valeur provisoire",
		StatusIncomplete:  "Valeur incomplète : un mois ou un contributeur attendu manque",
		StatusMissing:     "Valeur manquante : ne peut exister",
		StatusSuppressed:  "Valeur manquante : masquée (secret statistique)",
	}
	confNames = map[string]string{
		ConfFree: "Diffusable",
		"C":      "Confidentiel (secret statistique)",
	}
	sexNames = map[string]string{"F": "Féminin", "M": "Masculin"}
)

// StructureOf gathers the structure of the SDMX file of ds whose index is
// idx (its Codes, copied lines included).
func StructureOf(ds *export.Dataset, idx Index) (*Structure, error) {
	m := structureIDRe.FindStringSubmatch(ds.StructureID)
	if m == nil {
		return nil, fmt.Errorf("sdmx: structure id %q is not AGENCY:ID(VERSION)", ds.StructureID)
	}
	s := &Structure{Agency: m[1], Flow: m[2], Version: m[3], Name: ds.Title, Prepared: ds.Generated}
	if s.Name == "" {
		s.Name = "Protection de l'enfance"
	}
	header, err := Header(ds.Dimensions)
	if err != nil {
		return nil, err
	}
	breakdown := map[string]string{} // column → breakdown
	for _, d := range ds.Dimensions {
		breakdown[ColumnName(d)] = d
	}
	for _, c := range header[3:] {
		name := conceptNames[c]
		if d, ok := breakdown[c]; ok {
			name = indicators.DimensionName(d)
		} else if name == "" {
			name = strings.ToLower(strings.ReplaceAll(c, "_", " "))
		}
		s.Concepts = append(s.Concepts, Item{c, name})
	}

	s.add("FREQ", "Fréquence", []Item{{FreqAnnual, "Annuelle"}})
	var inds []Item
	declared := map[string]bool{}
	for _, ind := range ds.Indicators {
		inds = append(inds, Item{ind.ID, ind.Label})
		declared[ind.ID] = true
	}
	for _, id := range slices.Sorted(maps.Keys(idx.Codes)) {
		if !declared[id] { // lines of an indicator the dataset does not declare
			inds = append(inds, Item{id, id})
		}
	}
	s.add("INDICATOR", "Indicateurs", inds)

	areas := map[string]Item{}
	values := map[string]map[string]string{} // breakdown → value → code
	for _, id := range slices.Sorted(maps.Keys(idx.Codes)) {
		c := idx.Codes[id]
		for _, a := range c.Areas {
			code := AreaCode(a.Dep, a.Territory)
			name := "Département " + a.Dep
			if a.Territory != export.Total {
				name = "Territoire " + a.Territory + " (département " + a.Dep + ")"
				if n := ds.TerritoryName(a.Dep, a.Territory); n != "" {
					name = n + " (territoire " + a.Territory + ", département " + a.Dep + ")"
				}
			}
			areas[code] = Item{code, name}
		}
		for d, vs := range c.Values {
			if values[d] == nil {
				values[d] = map[string]string{}
			}
			for _, v := range vs {
				values[d][v] = ValueCode(v)
			}
		}
	}
	s.add("REF_AREA", "Zones de référence", sortedItems(areas))
	services := map[string]string{} // service code → its name (codes name their département)
	for p, n := range ds.Services {
		services[p.Code] = n
	}
	for _, d := range ds.Dimensions {
		col := ColumnName(d)
		if err := checkCodes(d, values[d]); err != nil {
			return nil, err
		}
		items := map[string]Item{}
		for v, code := range values[d] {
			name := v
			if n, ok := sexNames[v]; ok && d == "sex" {
				name = n
			}
			if n, ok := services[v]; ok && d == "service" {
				name = n
			}
			items[code] = Item{code, name}
		}
		codes := append([]Item{{TotalCode, "Total"}, {NotApplicable, "Sans objet"}}, sortedItems(items)...)
		s.add(col, indicators.DimensionName(d), codes)
	}

	for _, a := range []struct {
		id    string
		codes map[string]string
	}{
		{"UNIT_MEASURE", names(slices.Collect(maps.Values(unitCodes)), unitNames)},
		{"OBS_STATUS", names(append(slices.Collect(maps.Values(statusCodes)), StatusMissing, StatusSuppressed), statusNames)},
		{"CONF_STATUS", names(slices.Collect(maps.Values(confCodes)), confNames)},
	} {
		var items []Item
		for _, code := range slices.Sorted(maps.Keys(a.codes)) {
			items = append(items, Item{code, a.codes[code]})
		}
		s.Codelists = append(s.Codelists, Codelist{ID: "CL_" + a.id, Name: conceptNames[a.id], Codes: items})
		s.Attributes = append(s.Attributes, Column{a.id, "CL_" + a.id})
	}
	return s, nil
}

// add declares a dimension and its code list.
func (s *Structure) add(id, name string, codes []Item) {
	if name == "" {
		name = strings.ToLower(strings.ReplaceAll(id, "_", " "))
	}
	s.Codelists = append(s.Codelists, Codelist{ID: "CL_" + id, Name: name, Codes: codes})
	s.Dimensions = append(s.Dimensions, Column{id, "CL_" + id})
}

// names gives each code its name (the code itself when it has none).
func names(codes []string, known map[string]string) map[string]string {
	out := map[string]string{}
	for _, c := range codes {
		out[c] = known[c]
		if out[c] == "" {
			out[c] = c
		}
	}
	return out
}

func sortedItems(m map[string]Item) []Item {
	var out []Item
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}

// WriteStructure writes the SDMX-ML 3.0 structure message of the SDMX
// file of ds whose index is idx.
func WriteStructure(w io.Writer, ds *export.Dataset, idx Index) error {
	s, err := StructureOf(ds, idx)
	if err != nil {
		return err
	}
	if err := structureTemplate.Execute(w, s); err != nil {
		return fmt.Errorf("sdmx: write the structure: %w", err)
	}
	return nil
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

var structureTemplate = template.Must(template.New("structure").Funcs(template.FuncMap{"x": escape, "inc": func(i int) int { return i + 1 }}).Parse(
	`<?xml version="1.0" encoding="UTF-8"?>
<mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message" xmlns:str="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure" xmlns:com="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common">
  <mes:Header>
    <mes:ID>{{x .Flow}}_STRUCTURE</mes:ID>
    <mes:Test>false</mes:Test>
    <mes:Prepared>{{.Prepared.UTC.Format "2006-01-02T15:04:05Z"}}</mes:Prepared>
    <mes:Sender id="{{x .Agency}}"/>
  </mes:Header>
  <mes:Structures>
    <str:Codelists>{{range .Codelists}}{{$cl := .ID}}
      <str:Codelist urn="urn:sdmx:org.sdmx.infomodel.codelist.Codelist={{x $.Agency}}:{{x .ID}}({{$.Version}})" agencyID="{{x $.Agency}}" id="{{x .ID}}" version="{{$.Version}}">
        <com:Name xml:lang="fr">{{x .Name}}</com:Name>{{range .Codes}}
        <str:Code urn="urn:sdmx:org.sdmx.infomodel.codelist.Code={{x $.Agency}}:{{x $cl}}({{$.Version}}).{{x .ID}}" id="{{x .ID}}">
          <com:Name xml:lang="fr">{{x .Name}}</com:Name>
        </str:Code>{{end}}
      </str:Codelist>{{end}}
    </str:Codelists>
    <str:ConceptSchemes>
      <str:ConceptScheme urn="urn:sdmx:org.sdmx.infomodel.conceptscheme.ConceptScheme={{x .Agency}}:{{x .ConceptScheme}}({{.Version}})" agencyID="{{x .Agency}}" id="{{x .ConceptScheme}}" version="{{.Version}}">
        <com:Name xml:lang="fr">Concepts de {{x .Name}}</com:Name>{{range .Concepts}}
        <str:Concept urn="urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={{x $.Agency}}:{{x $.ConceptScheme}}({{$.Version}}).{{x .ID}}" id="{{x .ID}}">
          <com:Name xml:lang="fr">{{x .Name}}</com:Name>
        </str:Concept>{{end}}
      </str:ConceptScheme>
    </str:ConceptSchemes>
    <str:DataStructures>
      <str:DataStructure urn="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={{x .Agency}}:{{x .DSD}}({{.Version}})" agencyID="{{x .Agency}}" id="{{x .DSD}}" version="{{.Version}}">
        <com:Name xml:lang="fr">{{x .Name}}</com:Name>
        <str:DataStructureComponents>
          <str:DimensionList id="DimensionDescriptor">{{range $i, $d := .Dimensions}}
            <str:Dimension id="{{x $d.ID}}" position="{{inc $i}}">
              <str:ConceptIdentity>urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={{x $.Agency}}:{{x $.ConceptScheme}}({{$.Version}}).{{x $d.ID}}</str:ConceptIdentity>
              <str:LocalRepresentation>
                <str:Enumeration>urn:sdmx:org.sdmx.infomodel.codelist.Codelist={{x $.Agency}}:{{x $d.Codelist}}({{$.Version}})</str:Enumeration>
              </str:LocalRepresentation>
            </str:Dimension>{{end}}
            <str:TimeDimension id="TIME_PERIOD">
              <str:ConceptIdentity>urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={{x .Agency}}:{{x .ConceptScheme}}({{.Version}}).TIME_PERIOD</str:ConceptIdentity>
              <str:LocalRepresentation>
                <str:TextFormat textType="ObservationalTimePeriod"/>
              </str:LocalRepresentation>
            </str:TimeDimension>
          </str:DimensionList>
          <str:AttributeList id="AttributeDescriptor">{{range .Attributes}}
            <str:Attribute id="{{x .ID}}" usage="mandatory">
              <str:ConceptIdentity>urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={{x $.Agency}}:{{x $.ConceptScheme}}({{$.Version}}).{{x .ID}}</str:ConceptIdentity>
              <str:LocalRepresentation>
                <str:Enumeration>urn:sdmx:org.sdmx.infomodel.codelist.Codelist={{x $.Agency}}:{{x .Codelist}}({{$.Version}})</str:Enumeration>
              </str:LocalRepresentation>
              <str:AttributeRelationship>
                <str:Observation/>
              </str:AttributeRelationship>
            </str:Attribute>{{end}}
          </str:AttributeList>
          <str:MeasureList id="MeasureDescriptor">
            <str:Measure id="OBS_VALUE" usage="optional">
              <str:ConceptIdentity>urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={{x .Agency}}:{{x .ConceptScheme}}({{.Version}}).OBS_VALUE</str:ConceptIdentity>
              <str:LocalRepresentation>
                <str:TextFormat textType="Double"/>
              </str:LocalRepresentation>
            </str:Measure>
          </str:MeasureList>
        </str:DataStructureComponents>
      </str:DataStructure>
    </str:DataStructures>
    <str:Dataflows>
      <str:Dataflow urn="urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={{x .Agency}}:{{x .Flow}}({{.Version}})" agencyID="{{x .Agency}}" id="{{x .Flow}}" version="{{.Version}}">
        <com:Name xml:lang="fr">{{x .Name}}</com:Name>
        <str:Structure>urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={{x .Agency}}:{{x .DSD}}({{.Version}})</str:Structure>
      </str:Dataflow>
    </str:Dataflows>
  </mes:Structures>
</mes:Structure>
`))
