package sdmx

import (
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// parsedStructure is what a reader finds in a structure message, by local
// names.
type parsedStructure struct {
	Codelists []struct {
		ID    string `xml:"id,attr"`
		Codes []struct {
			ID string `xml:"id,attr"`
		} `xml:"Code"`
	} `xml:"Structures>Codelists>Codelist"`
	Schemes []struct {
		ID       string `xml:"id,attr"`
		Concepts []struct {
			ID string `xml:"id,attr"`
		} `xml:"Concept"`
	} `xml:"Structures>ConceptSchemes>ConceptScheme"`
	DSDs []struct {
		ID         string      `xml:"id,attr"`
		Dimensions []component `xml:"DataStructureComponents>DimensionList>Dimension"`
		Time       component   `xml:"DataStructureComponents>DimensionList>TimeDimension"`
		Attributes []component `xml:"DataStructureComponents>AttributeList>Attribute"`
		Measures   []component `xml:"DataStructureComponents>MeasureList>Measure"`
	} `xml:"Structures>DataStructures>DataStructure"`
	Flows []struct {
		ID        string `xml:"id,attr"`
		Structure string `xml:"Structure"`
	} `xml:"Structures>Dataflows>Dataflow"`
}

type component struct {
	ID      string `xml:"id,attr"`
	Concept string `xml:"ConceptIdentity"`
	Enum    string `xml:"LocalRepresentation>Enumeration"`
}

// urnID is the id a URN ends with: "…Codelist=A:CL_SEX(1.0)" is CL_SEX,
// "…Concept=A:CS(1.0).SEX" is SEX.
func urnID(urn string) string {
	if i := strings.LastIndex(urn, ")."); i >= 0 {
		return urn[i+2:]
	}
	urn = urn[strings.LastIndex(urn, ":")+1:]
	if i := strings.Index(urn, "("); i >= 0 {
		return urn[:i]
	}
	return urn
}

// Validate reads a structure message and the SDMX-CSV file it describes,
// as a registry would: the message parses, its references resolve (the
// dataflow's data structure, each component's concept and code list),
// every column of the file is a concept, and every value of every coded
// column is in its code list. It reports the first problems found.
func Validate(structure, data io.Reader) error {
	var s parsedStructure
	if err := xml.NewDecoder(structure).Decode(&s); err != nil {
		return fmt.Errorf("sdmx: the structure message does not parse: %w", err)
	}
	if len(s.DSDs) != 1 || len(s.Flows) != 1 || len(s.Schemes) != 1 {
		return fmt.Errorf("sdmx: %d data structures, %d dataflows, %d concept schemes; want one each", len(s.DSDs), len(s.Flows), len(s.Schemes))
	}
	var problems []string
	report := func(format string, args ...any) {
		if len(problems) < 10 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	dsd := s.DSDs[0]
	if got := urnID(s.Flows[0].Structure); got != dsd.ID {
		report("the dataflow refers to %s, the data structure is %s", got, dsd.ID)
	}
	codes := map[string]map[string]bool{}
	for _, cl := range s.Codelists {
		codes[cl.ID] = map[string]bool{}
		for _, c := range cl.Codes {
			codes[cl.ID][c.ID] = true
		}
	}
	concepts := map[string]bool{}
	for _, c := range s.Schemes[0].Concepts {
		concepts[c.ID] = true
	}
	coded := map[string]string{} // column → code list
	all := append(append(append([]component{dsd.Time}, dsd.Dimensions...), dsd.Attributes...), dsd.Measures...)
	for _, c := range all {
		if !concepts[urnID(c.Concept)] {
			report("component %s: concept %s is not in the concept scheme", c.ID, c.Concept)
		}
		if c.Enum != "" {
			if codes[urnID(c.Enum)] == nil {
				report("component %s: code list %s is not in the message", c.ID, c.Enum)
			}
			coded[c.ID] = urnID(c.Enum)
		}
	}

	r := csv.NewReader(data)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("sdmx: read the data's header: %w", err)
	}
	if len(header) < 3 {
		return fmt.Errorf("sdmx: the data's header has %d columns", len(header))
	}
	for _, col := range header[3:] {
		if !concepts[col] {
			report("column %s is not a concept of the structure", col)
		}
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("sdmx: read the data: %w", err)
		}
		for i, col := range header {
			if cl, ok := coded[col]; ok && !codes[cl][rec[i]] {
				report("line %d: %s %q is not in %s", line, col, rec[i], cl)
			}
		}
	}
	if len(problems) > 0 {
		return errors.New("sdmx: " + strings.Join(problems, "; "))
	}
	return nil
}
