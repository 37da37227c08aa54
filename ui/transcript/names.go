package transcript

import (
	"time"

	"fyne.io/fyne/v2/lang"
)

// The names below turn values from a fixed set into texts through literal
// lang.L calls, so that the catalogue test of package ui sees every one.

// weekdayName is the translated name of a day of the week.
func weekdayName(d time.Weekday) string {
	switch d {
	case time.Monday:
		return lang.L("Monday")
	case time.Tuesday:
		return lang.L("Tuesday")
	case time.Wednesday:
		return lang.L("Wednesday")
	case time.Thursday:
		return lang.L("Thursday")
	case time.Friday:
		return lang.L("Friday")
	case time.Saturday:
		return lang.L("Saturday")
	}
	return lang.L("Sunday")
}

// monthName is the translated name of a month.
func monthName(m time.Month) string {
	switch m {
	case time.January:
		return lang.L("January")
	case time.February:
		return lang.L("February")
	case time.March:
		return lang.L("March")
	case time.April:
		return lang.L("April")
	case time.May:
		return lang.L("May")
	case time.June:
		return lang.L("June")
	case time.July:
		return lang.L("July")
	case time.August:
		return lang.L("August")
	case time.September:
		return lang.L("September")
	case time.October:
		return lang.L("October")
	case time.November:
		return lang.L("November")
	}
	return lang.L("December")
}
