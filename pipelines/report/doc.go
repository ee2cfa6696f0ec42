// Package report is the observatory's annual report, written from the
// warehouse's figures: a summary page of key figures, one page per
// indicator family with one section per indicator (its series over the
// years with the target, the latest value and its evolution in words, the
// definition, numerator, denominator, convention and sources, and, for a
// rate or a share, the territories compared on a funnel plot), a page on
// data quality, and the whole report in one page for printing.
//
// The pages are made by one renderer (Report.Render) that both the HTTP
// handler (Handler, for `odpe serve`) and `odpe report` (Write) use. Charts
// are SVG drawn here; the pages fetch nothing but their style sheet, work
// offline and print on A4. A report for an external export profile is
// made from that profile's published rows only: a value the profile hides
// is not in its input, shows as "s" and has no point on any chart.
//
// This package does not read the warehouse: report/load gathers its Input.
package report
