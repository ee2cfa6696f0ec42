// Package sdmx writes an export Dataset as SDMX-CSV 2.0 (one observation
// per line, codes only, no labels), the format INSEE and Eurostat tools
// read, and the SDMX-ML 3.0 structure message that declares what the
// codes mean (dataflow, data structure, concept scheme and a code list for
// every coded dimension and attribute: see WriteStructure).
//
// Mappings (SDMX cross-domain code lists where one fits):
//
//	FREQ         A (annual) on every line.
//	Row.Status   final → A (normal), provisional → P, incomplete → U
//	             (low reliability: an expected contributor or month is
//	             missing; the structure's CL_OBS_STATUS says so).
//	Row.Conf     "" → CONF_STATUS F (free); hidden → C (confidential),
//	             primary or secondary alike: the file does not say why a
//	             cell is hidden (see export.Conf); a suppressed cell has OBS_STATUS Q
//	             (missing value; suppressed) and an empty OBS_VALUE.
//	no value     on a published row: OBS_STATUS M (missing; cannot exist),
//	             empty OBS_VALUE.
//	Row.Unit     count → PERS, % → PT, ‰ → PER_1000, per100k → PER_100000,
//	             days → DAYS, hours → HOURS, ratio → RATIO.
//	REF_AREA     the département's COG code (Row.Dep) for the
//	             département, "<dep>_<territory>" for a territory (see
//	             AreaCode).
//	Dims         export.Total → _T; a breakdown the indicator lacks → _Z;
//	             a value → its code (see ValueCode).
//
// Lines end with CRLF (RFC 4180); the file is UTF-8 without BOM.
package sdmx

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/odpe/odpe/pipelines/export"
)

// TotalCode is the SDMX code of a total over a breakdown.
const TotalCode = "_T"

// Observation status codes (CL_OBS_STATUS).
const (
	StatusNormal      = "A"
	StatusProvisional = "P"
	StatusIncomplete  = "U"
	StatusMissing     = "M"
	StatusSuppressed  = "Q"
)

// ConfFree is the CONF_STATUS of a published cell (CL_CONF_STATUS).
const ConfFree = "F"

// fixedHead and fixedTail surround the dimension columns of the header.
var (
	fixedHead = []string{"STRUCTURE", "STRUCTURE_ID", "ACTION", "FREQ", "INDICATOR", "REF_AREA"}
	fixedTail = []string{"TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS", "CONF_STATUS"}
)

var unitCodes = map[export.Unit]string{
	export.Count:    "PERS",
	export.Percent:  "PT",
	export.PerMille: "PER_1000",
	export.Per100k:  "PER_100000",
	export.Days:     "DAYS",
	export.Hours:    "HOURS",
	export.Ratio:    "RATIO",
}

var statusCodes = map[export.Status]string{
	export.Final:       StatusNormal,
	export.Provisional: StatusProvisional,
	export.Incomplete:  StatusIncomplete,
}

var confCodes = map[export.Conf]string{
	export.Free:      ConfFree,
	export.Primary:   export.HiddenMark,
	export.Secondary: export.HiddenMark,
}

// Write writes ds as SDMX-CSV 2.0 to w, one line per row in ds.Rows order.
// It fails on a row whose unit, status, confidentiality or breakdown it
// cannot map, naming the row.
func Write(w io.Writer, ds *export.Dataset) error {
	_, err := WriteIndexed(w, ds, nil)
	return err
}

// Header returns the SDMX-CSV header for the given breakdown names.
func Header(dims []string) ([]string, error) {
	h := make([]string, 0, len(fixedHead)+len(dims)+len(fixedTail))
	h = append(h, fixedHead...)
	seen := make(map[string]string, len(dims))
	for _, name := range fixedHead {
		seen[name] = name
	}
	for _, name := range fixedTail {
		seen[name] = name
	}
	for _, d := range dims {
		c := ColumnName(d)
		if c == "" {
			return nil, fmt.Errorf("sdmx: dimension %q has no usable column name", d)
		}
		if prev, dup := seen[c]; dup {
			return nil, fmt.Errorf("sdmx: dimension %q maps to column %s, already used by %q", d, c, prev)
		}
		seen[c] = d
		h = append(h, c)
	}
	return append(h, fixedTail...), nil
}

// record fills rec with the fields of r.
func record(rec []string, ds *export.Dataset, r *export.Row, known map[string]bool, codes coder) error {
	for k := range r.Dims {
		if !known[k] {
			return fmt.Errorf("breakdown %q is not in the dataset's dimensions %v", k, ds.Dimensions)
		}
	}
	unit, ok := unitCodes[r.Unit]
	if !ok {
		return fmt.Errorf("unit %q: want one of count, %%, ‰, per100k, days, hours, ratio", r.Unit)
	}
	status, ok := statusCodes[r.Status]
	if !ok {
		return fmt.Errorf("status %q: want final, provisional or incomplete", r.Status)
	}
	conf, ok := confCodes[r.Conf]
	if !ok {
		return fmt.Errorf("confidentiality %q: want %q, %q or %q", r.Conf, export.Free, export.Primary, export.Secondary)
	}
	value := ""
	switch {
	case r.Conf != export.Free:
		status = StatusSuppressed
	case !r.Value.Valid():
		status = StatusMissing
	default:
		v, err := FormatValue(r.Value.Float64())
		if err != nil {
			return err
		}
		value = v
	}

	rec[0], rec[1], rec[2], rec[3], rec[4] = structureKind, ds.StructureID, actionInform, FreqAnnual, r.Indicator
	rec[5] = AreaCode(r.Dep, r.Territory)
	n := len(fixedHead)
	for _, d := range ds.Dimensions {
		if v, has := r.Dims[d]; has {
			rec[n] = codes.code(v)
		} else {
			rec[n] = NotApplicable
		}
		n++
	}
	rec[n], rec[n+1], rec[n+2], rec[n+3], rec[n+4] = strconv.Itoa(r.Period), value, unit, status, conf
	return nil
}

// FormatValue renders v with a point decimal, no thousands separator, no
// exponent and at most 6 decimals, without trailing zeros.
func FormatValue(v float64) (string, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", fmt.Errorf("value %v is not a finite number", v)
	}
	s := strconv.FormatFloat(v, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s, nil
}

// ColumnName turns a breakdown name into an SDMX concept id: upper snake
// case, ASCII letters and digits ("age_band", "ageBand" and "tranche d'âge"
// give AGE_BAND, AGE_BAND and TRANCHE_D_AGE).
func ColumnName(name string) string {
	ascii, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), name)
	if err != nil {
		ascii = name
	}
	var b strings.Builder
	sep := false
	var prev rune
	for _, r := range ascii {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			// A lower-to-upper change starts a word in camelCase.
			if unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)) {
				sep = true
			}
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(unicode.ToUpper(r))
		default:
			sep = true
		}
		prev = r
	}
	return b.String()
}
