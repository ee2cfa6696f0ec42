package demo

import "time"

// day is a calendar date as a count of days since 1970-01-01. The caseload
// model does all its arithmetic on days; conversion to a civil date uses
// the proleptic Gregorian algorithm (H. Hinnant), with no time.Time in the
// hot loops.
type day int32

func dayOf(y, m, d int) day {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

func dayOfTime(t time.Time) day { return dayOf(t.Year(), int(t.Month()), t.Day()) }

// civil returns the year, month and day of d.
func (d day) civil() (y, m, dd int) {
	z := int(d) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, dd
}

func (d day) year() int { y, _, _ := d.civil(); return y }

// time returns d at midnight UTC.
func (d day) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// weekday returns 0 for Monday … 6 for Sunday.
func (d day) weekday() int { return (int(d)%7 + 10) % 7 }

// appendFR appends d as dd/mm/yyyy.
func (d day) appendFR(b []byte) []byte {
	y, m, dd := d.civil()
	b = appendTwo(b, dd)
	b = append(b, '/')
	b = appendTwo(b, m)
	b = append(b, '/')
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
}

// addYears returns the same calendar day n years later (29 February goes to
// 1 March in common years).
func (d day) addYears(n int) day {
	y, m, dd := d.civil()
	return dayOf(y+n, m, dd)
}
