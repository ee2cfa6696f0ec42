# Everyday targets. The README's two commands (`go run ./cmd/odpe demo`,
# `go test ./...`) need nothing of this file; CI (.ci/run) uses it.

GO ?= go
# A count of inputs, not a duration: with a duration Go's fuzzing
# coordinator can fail a target that found nothing, with "context deadline
# exceeded", when the deadline falls while a worker runs (golang/go#51484).
FUZZTIME ?= 100000x

.PHONY: build demo test fuzz vet bench libreoffice-check

build:
	$(GO) build -o bin/odpe ./cmd/odpe

demo:
	$(GO) run ./cmd/odpe demo

test:
	$(GO) test ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }

# Brief fuzzing of the parsers (the corpus under testdata/fuzz replays in `make test`).
fuzz:
	$(GO) test ./pipelines/extract/frcsv -run '^$$' -fuzz '^FuzzReader$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pipelines/extract/frnum -run '^$$' -fuzz '^FuzzNumber$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pipelines/extract/frnum -run '^$$' -fuzz '^FuzzDate$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pipelines/extract/frnum -run '^$$' -fuzz '^FuzzHours$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pipelines/activityreport -run '^$$' -fuzz '^FuzzParseCell$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pipelines/csvbatch -run '^$$' -fuzz '^FuzzText$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pipelines/sandbox/sqltext -run '^$$' -fuzz '^FuzzSplit$$' -fuzztime $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./pipelines/...
