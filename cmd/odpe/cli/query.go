package cli

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// query prints the result of one of odpe's own queries (runs, indicators)
// on a warehouse opened by the command; people's SQL goes through sqlRun.
func query(e *env, db *sql.DB, q, format string) error {
	rows, err := db.QueryContext(e.ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var data [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		data = append(data, vals)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch format {
	case "csv":
		return writeCSV(e.stdout, cols, data)
	case "json":
		return writeJSON(e.stdout, cols, data)
	}
	return writeTable(e.stdout, cols, data)
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

func writeTable(w io.Writer, cols []string, data [][]any) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, r := range data {
		s := make([]string, len(r))
		for i, v := range r {
			s[i] = cell(v)
		}
		fmt.Fprintln(tw, strings.Join(s, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "(%d row(s))\n", len(data))
	return err
}

func writeCSV(w io.Writer, cols []string, data [][]any) error {
	cw := csv.NewWriter(w)
	cw.Write(cols)
	for _, r := range data {
		s := make([]string, len(r))
		for i, v := range r {
			s[i] = cell(v)
		}
		cw.Write(s)
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, cols []string, data [][]any) error {
	out := make([]map[string]any, len(data))
	for i, r := range data {
		m := make(map[string]any, len(cols))
		for j, c := range cols {
			switch v := r[j].(type) {
			case []byte:
				m[c] = string(v)
			default:
				m[c] = v
			}
		}
		out[i] = m
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
