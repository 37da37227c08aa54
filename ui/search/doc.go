// Package search is the model of the search window: the history searched
// as the user types (history.Store.Find), one query at a time with the
// newest winning, and each result's one-line snippet with the words found
// marked, ready for a virtualised list of Rows.
package search
