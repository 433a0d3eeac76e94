package sls

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// schema keeps everything the emulator knows in one SQLite database: the
// catalog (projects, logstores, index versions), the log groups as received
// (for cursor reads) and one row per log (for GetLogs).
const schema = `
CREATE TABLE IF NOT EXISTS projects(
	name TEXT PRIMARY KEY, description TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS logstores(
	project TEXT NOT NULL, name TEXT NOT NULL, ttl INTEGER NOT NULL, shards INTEGER NOT NULL,
	created INTEGER NOT NULL, PRIMARY KEY(project, name));
CREATE TABLE IF NOT EXISTS index_versions(
	project TEXT NOT NULL, logstore TEXT NOT NULL, version INTEGER NOT NULL,
	config TEXT, created INTEGER NOT NULL, PRIMARY KEY(project, logstore, version));
CREATE TABLE IF NOT EXISTS groups(
	id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, logstore TEXT NOT NULL,
	shard INTEGER NOT NULL, seq INTEGER NOT NULL, received INTEGER NOT NULL, body BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS groups_by_shard ON groups(project, logstore, shard, seq);
CREATE TABLE IF NOT EXISTS logs(
	id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT NOT NULL, logstore TEXT NOT NULL,
	time INTEGER NOT NULL, topic TEXT NOT NULL, source TEXT NOT NULL,
	index_version INTEGER NOT NULL, fields TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_by_time ON logs(project, logstore, time);
`

// openDB opens the state database. An empty stateDir keeps everything in
// memory. The pool holds exactly one connection: an in-memory database lives
// and dies with its connection, and query temp tables need the same one.
func openDB(stateDir string) (*sql.DB, error) {
	dsn := ":memory:"
	if stateDir != "" {
		if err := os.MkdirAll(stateDir, 0o755); err != nil {
			return nil, fmt.Errorf("sls: create state dir: %w", err)
		}
		dsn = "file:" + filepath.Join(stateDir, "sls.db") + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	}
	registerSQLFunctions()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sls: open state db: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("sls: create schema: %w", err)
	}
	// Presto's LIKE is case-sensitive; SQLite's is not unless told so.
	if _, err := db.Exec(`PRAGMA case_sensitive_like = ON`); err != nil {
		db.Close()
		return nil, fmt.Errorf("sls: case-sensitive LIKE: %w", err)
	}
	return db, nil
}
