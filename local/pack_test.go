package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smsflow/shared/alert"
)

// zipFiles lists a zip's entries: name -> content and mode.
func zipFiles(t *testing.T, path string) map[string]*zip.File {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zr.Close() })
	out := map[string]*zip.File{}
	for _, f := range zr.File {
		out[f.Name] = f
	}
	return out
}

func content(t *testing.T, f *zip.File) string {
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

func distDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main"), []byte("\x7fELF pretend"), 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPackPutsAnExecutableMainAtTheRoot(t *testing.T) {
	dir := distDir(t)
	out := filepath.Join(t.TempDir(), "fn.zip")
	if err := pack([]string{out, dir}); err != nil {
		t.Fatal(err)
	}
	files := zipFiles(t, out)
	if len(files) != 1 || files["main"] == nil || files["main"].Mode().Perm() != 0o755 {
		t.Fatalf("zip holds %v", files)
	}
	if got := content(t, files["main"]); got != "\x7fELF pretend" {
		t.Fatalf("content %q", got)
	}
}

// The alert rule file travels next to main, in the zip (ROS) and in the
// directory (s deploy uploads it as it is).
func TestPackShipsTheRuleFileNextToMain(t *testing.T) {
	dir := distDir(t)
	rules := filepath.Join(t.TempDir(), "mine.yaml")
	const text = "include_defaults: true\nsettings: {index_lag: 90s}\n"
	if err := os.WriteFile(rules, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "alert.zip")
	if err := pack([]string{"-rules", rules, out, dir}); err != nil {
		t.Fatal(err)
	}
	f := zipFiles(t, out)[alert.PackagedRulesFile]
	if f == nil || content(t, f) != text || f.Mode().Perm() != 0o644 {
		t.Fatalf("rule file in the zip: %+v", f)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, alert.PackagedRulesFile)); string(b) != text {
		t.Fatalf("rule file in the directory: %q", b)
	}
	// Built again without a rule file: the earlier copy must not linger.
	if err := pack([]string{out, dir}); err != nil {
		t.Fatal(err)
	}
	if f := zipFiles(t, out)[alert.PackagedRulesFile]; f != nil {
		t.Fatal("a stale rule file was packed")
	}
	if _, err := os.Stat(filepath.Join(dir, alert.PackagedRulesFile)); err == nil {
		t.Fatal("a stale rule file stayed in the directory s deploy uploads")
	}
}

func TestPackRefusesABrokenRuleFile(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(rules, []byte("settings: {interval: fast}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := pack([]string{"-rules", rules, filepath.Join(t.TempDir(), "a.zip"), distDir(t)})
	if err == nil || !strings.Contains(err.Error(), "settings: field interval") {
		t.Fatalf("broken rule file packed: %v", err)
	}
	if err := pack([]string{"-rules", rules + ".missing", filepath.Join(t.TempDir(), "a.zip"), distDir(t)}); err == nil {
		t.Fatal("a missing rule file was accepted")
	}
}
