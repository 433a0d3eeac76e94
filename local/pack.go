package main

import (
	"archive/zip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"smsflow/shared/alert"
)

// pack writes a function's code package: every file of its dist directory
// at the zip root, the binary "main" executable (FC's go1 runtime runs
// handler: main), the rest read-only data. With -rules, the alert rule
// file is checked and copied into the directory first as
// alert-rules.yaml, where the alert function looks for it next to its
// binary; without, a copy left by an earlier build is removed, so the zip
// and the directory s deploy uploads always agree. Go's archive/zip keeps
// this free of a dependency on the zip command.
func pack(args []string) error {
	fl := flag.NewFlagSet("pack", flag.ContinueOnError)
	rules := fl.String("rules", "", "alert rule file to ship as "+alert.PackagedRulesFile)
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 2 {
		return fmt.Errorf("usage: pack [-rules FILE] <out.zip> <dir holding main>")
	}
	out, dir := fl.Arg(0), fl.Arg(1)
	if err := placeRules(*rules, filepath.Join(dir, alert.PackagedRulesFile)); err != nil {
		return err
	}
	if err := writeZip(out, dir); err != nil {
		return fmt.Errorf("packing %s: %w", out, err)
	}
	return nil
}

// placeRules validates src and copies it to dst, or removes dst when src
// is empty. A rule file that does not load fails the build, not every
// cold start of the deployed function.
func placeRules(src, dst string) error {
	if src == "" {
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("alert rules: %w", err)
	}
	if _, err := alert.Parse(data); err != nil {
		return fmt.Errorf("alert rules %s: %w", src, err)
	}
	return os.WriteFile(dst, data, 0o644)
}

func writeZip(out, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if !hasFile(entries, "main") {
		return fmt.Errorf("%s has no main binary", dir)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		if err == nil && e.Type().IsRegular() {
			err = addFile(zw, filepath.Join(dir, e.Name()), e.Name())
		}
	}
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func hasFile(entries []os.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name && e.Type().IsRegular() {
			return true
		}
	}
	return false
}

func addFile(zw *zip.Writer, path, name string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()}
	hdr.SetMode(0o644)
	if name == "main" {
		hdr.SetMode(0o755)
	}
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, in)
	return err
}
