package disclosure

import (
	"errors"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/export"
)

func TestNew(t *testing.T) {
	const T = export.Total
	valid := func() []Cell {
		return []Cell{
			{Key: []string{T, T}, Value: 5},
			{Key: []string{T, "F"}, Value: 2},
			{Key: []string{T, "M"}, Value: 3},
			{Key: []string{"a", T}, Value: 5},
			{Key: []string{"a", "F"}, Value: 2},
			{Key: []string{"a", "M"}, Value: 3},
		}
	}
	dims := []string{"territoire", "sexe"}
	tests := []struct {
		name   string
		dims   []string
		edit   func([]Cell) []Cell
		target error
		msg    string
	}{
		{name: "valid", dims: dims, edit: func(c []Cell) []Cell { return c }},
		{name: "no dimension", dims: nil, edit: func(c []Cell) []Cell { return c },
			target: ErrInvalid, msg: "no dimension"},
		{name: "short key", dims: dims, edit: func(c []Cell) []Cell { c[2].Key = []string{T}; return c },
			target: ErrInvalid, msg: "cell 2 (territoire=Ensemble): key has 1 values, want 2"},
		{name: "negative", dims: dims, edit: func(c []Cell) []Cell { c[1].Value = -1; return c },
			target: ErrInvalid, msg: "cell 1 (territoire=Ensemble, sexe=F): value -1, want a finite non-negative count"},
		{name: "bad status", dims: dims, edit: func(c []Cell) []Cell { c[4].Status = 7; return c },
			target: ErrInvalid, msg: `status #7`},
		{name: "duplicate", dims: dims, edit: func(c []Cell) []Cell { c[5].Key = []string{"a", "F"}; return c },
			target: ErrInvalid, msg: "cells 4 and 5 have the same key (territoire=a, sexe=F)"},
		{name: "missing cell", dims: dims, edit: func(c []Cell) []Cell { return c[:5] },
			target: ErrIncomplete, msg: "no cell for territoire=a, sexe=M (5 cells, want 6)"},
		{name: "no total", dims: dims, edit: func(c []Cell) []Cell { return c[3:] },
			target: ErrIncomplete, msg: `dimension "territoire" has no "Ensemble" value`},
		{name: "only total", dims: dims, edit: func(c []Cell) []Cell { return c[:3] },
			target: ErrInvalid, msg: `dimension "territoire" has only "Ensemble"`},
		{name: "not additive", dims: dims, edit: func(c []Cell) []Cell { c[5].Value = 4; c[2].Value = 4; return c },
			target: ErrNotAdditive, msg: `along "sexe" at territoire=Ensemble, sexe=Ensemble the total is 5 but the cells sum to 6`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := New(tc.dims, tc.edit(valid()))
			if tc.target == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if got := len(tab.lines); got != 5 { // 3 along territoire, 2 along sexe
					t.Errorf("%d lines, want 5", got)
				}
				return
			}
			if !errors.Is(err, tc.target) {
				t.Fatalf("New error = %v, want %v", err, tc.target)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("New error = %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}

func TestNotBuilt(t *testing.T) {
	if err := Protect(&Table{}, 5); !errors.Is(err, ErrInvalid) {
		t.Errorf("Protect on a zero Table = %v, want ErrInvalid", err)
	}
	if _, err := Audit(&Table{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Audit on a zero Table = %v, want ErrInvalid", err)
	}
	if got := Determined(&Table{}); got != nil {
		t.Errorf("Determined on a zero Table = %v, want nil", got)
	}
}
