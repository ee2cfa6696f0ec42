package export

import (
	"context"
	"slices"
	"testing"
)

type testFormat struct {
	name   string
	layout Layout
}

func (f testFormat) Name() string                         { return f.name }
func (f testFormat) Layout() Layout                       { return f.layout }
func (f testFormat) Write(context.Context, *Output) error { return nil }

// TestRegister: a format is found by its name and listed; a second
// format of the same name, or one without a name or layout, is refused.
func TestRegister(t *testing.T) {
	Register(testFormat{"test-register", PerFamily})
	if f, ok := Lookup("test-register"); !ok || f.Layout() != PerFamily {
		t.Fatalf("Lookup: %v, %v", f, ok)
	}
	if !slices.Contains(Names(), "test-register") {
		t.Errorf("Names() = %v", Names())
	}
	for _, f := range []testFormat{{"test-register", WholeProfile}, {"", PerFamily}, {"test-no-layout", 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%+v) did not panic", f)
				}
			}()
			Register(f)
		}()
	}
	if _, ok := Lookup("test-no-layout"); ok {
		t.Error("a format without a layout was registered")
	}
}
