package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"time"
)

// pack writes a zip with the binary at its root as "main", executable: the
// layout FC's go1 runtime expects (handler: main). Go's archive/zip keeps
// this free of a dependency on the zip command.
func pack(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: pack <out.zip> <binary>")
	}
	in, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(args[0])
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	hdr := &zip.FileHeader{Name: "main", Method: zip.Deflate, Modified: time.Now()}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = io.Copy(w, in)
	}
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("packing %s: %w", args[0], err)
	}
	return nil
}
