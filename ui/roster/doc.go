// Package roster is the roster of Causerie's main window: the model (a
// tree of accounts, groups, contacts and subscription requests, built from
// snapshots of the accounts, filtered and sorted) and the widgets that show
// it (the tree with keyboard activation, a contact or request row, a group
// row). The rows act through Callbacks the window gives them.
package roster
