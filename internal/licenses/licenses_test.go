package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReadmeUpToDate: the README's dependency table is the one the
// modules' own licence files give today, and every licence in it may be
// part of a GPL-3.0-or-later program. A changed go.mod fails here until
// `make licenses` rewrites the table.
func TestReadmeUpToDate(t *testing.T) {
	root := filepath.Join("..", "..")
	mods, err := dependencies(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) < 10 {
		t.Fatalf("only %d modules found", len(mods))
	}
	for _, err := range check(mods) {
		t.Error(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := currentTable(readme)
	if err != nil {
		t.Fatal(err)
	}
	if want := table(mods); got != want {
		t.Errorf("README.md's licence table is out of date: run make licenses.\nREADME:\n%s\nmodules:\n%s", got, want)
	}
}

// TestIdentify: each licence wording we rely on is recognised, a choice
// given by an SPDX line gives every alternative, and what is not
// compatible is reported.
func TestIdentify(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"The MIT License (MIT)\n\nPermission is hereby granted, free of charge, to any person", []string{"MIT"}},
		{"Redistribution and use in source and binary forms, with or without modification, are permitted ... " +
			"* Neither the name of Google Inc. nor the names of its contributors may be used", []string{"BSD-3-Clause"}},
		{"Redistribution and use in source and binary forms, with or without\nmodification, are permitted provided that", []string{"BSD-2-Clause"}},
		{"                                 Apache License\n                           Version 2.0, January 2004", []string{"Apache-2.0"}},
		{"Permission to use, copy, modify, and/or distribute this software for any purpose\nwith or without fee", []string{"ISC"}},
		{"This project is provided under the terms of the UNLICENSE or the BSD license\nSPDX-License-Identifier: Unlicense OR BSD-3-Clause\n", []string{"Unlicense", "BSD-3-Clause"}},
		{"GNU GENERAL PUBLIC LICENSE\n Version 2, June 1991", []string{"GPL (not version 3)"}},
		{"All rights reserved. Do not copy.", []string{"unknown"}},
	}
	for _, c := range cases {
		if got := identify(c.text); !slices.Equal(got, c.want) {
			t.Errorf("identify(%.40q) = %q, want %q", c.text, got, c.want)
		}
	}
	bad := check([]module{
		{Path: "ok", Licenses: []string{"MIT"}},
		{Path: "gpl2", Licenses: []string{"GPL (not version 3)"}},
		{Path: "none"},
		{Path: "odd", Licenses: []string{"unknown"}},
	})
	if len(bad) != 3 {
		t.Errorf("check reported %d problems, want 3 (gpl2, none, odd): %v", len(bad), bad)
	}
}
