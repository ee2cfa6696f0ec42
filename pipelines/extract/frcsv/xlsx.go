package frcsv

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/odpe/odpe/pipelines/extract"
)

// sheetSource reads the rows of one worksheet. Cells are read raw: numbers
// as stored (no display format), formulas as their cached value, dates as
// serial numbers.
type sheetSource struct {
	wb    *excelize.File
	rows  *excelize.Rows
	sheet string
	row   int // current row number, 1-based
	width int
	rec   []string
}

// OpenSheet opens a sheet of a workbook; "" means the first sheet.
func OpenSheet(path, sheet string) (*Reader, error) {
	name := filepath.Base(path)
	wb, err := OpenWorkbook(path)
	if err != nil {
		return nil, err
	}
	if sheet == "" {
		sheet = wb.GetSheetName(0)
	} else if idx, _ := wb.GetSheetIndex(sheet); idx < 0 {
		wb.Close()
		return nil, extract.Rejectf("%s: missing sheet %q; sheets found: %s", name, sheet, quoteList(wb.GetSheetList()))
	}
	rows, err := wb.Rows(sheet)
	if err != nil {
		wb.Close()
		return nil, fmt.Errorf("%s: sheet %q: %w", name, sheet, err)
	}
	src := &sheetSource{wb: wb, rows: rows, sheet: sheet, width: -1}
	r, err := newReader(name, src)
	if err != nil {
		src.close()
		return nil, err
	}
	// The table is as wide as its header: trailing empty headers are not
	// columns.
	for len(r.header) > 0 && r.header[len(r.header)-1] == "" {
		r.header, r.keys = r.header[:len(r.header)-1], r.keys[:len(r.keys)-1]
	}
	src.width = len(r.header)
	return r, nil
}

func (s *sheetSource) read() ([]string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, fmt.Errorf("sheet %q: %w", s.sheet, err)
		}
		return nil, io.EOF
	}
	s.row++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("sheet %q, row %d: %w", s.sheet, s.row, err)
	}
	if s.width < 0 { // header row: as many cells as written
		return cells, nil
	}
	// Cells beyond the header's width are notes outside the table.
	s.rec = append(s.rec[:0], cells[:min(len(cells), s.width)]...)
	for len(s.rec) < s.width {
		s.rec = append(s.rec, "")
	}
	return s.rec, nil
}

func (s *sheetSource) line() int { return s.row }

func (s *sheetSource) locate(e *extract.DataError, col int) {
	e.Sheet = s.sheet
	if col < 0 {
		col = 0
	}
	e.Cell, _ = excelize.CoordinatesToCellName(col+1, s.row)
}

func (s *sheetSource) workbook() bool { return true }

func (s *sheetSource) separator() string { return "cells" }

func (s *sheetSource) close() error {
	err := s.rows.Close()
	if cerr := s.wb.Close(); err == nil {
		err = cerr
	}
	return err
}

// serialDate reads a spreadsheet date serial number (days since 1899-12-30).
func serialDate(s string) (time.Time, bool) {
	if strings.ContainsAny(s, "/-") {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 || f > 2958465 { // 9999-12-31
		return time.Time{}, false
	}
	t, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
}
