import GRDB

/// The state file's tables and their forward migrations.
///
/// Every migration is named "vN" and ends by writing N into `PRAGMA user_version`, so the version is
/// readable without GRDB (`sqlite3 FILE 'PRAGMA user_version'`) and a newer file is refused before any
/// migration runs. Migrations are never edited once released: a change is a new migration.
enum Schema {
    /// `PRAGMA application_id`: "EGHS" (espo-ghl-sync), marks the file as ours.
    static let applicationID: Int32 = 0x4547_4853

    /// The latest schema version, the number of migrations.
    static let version = 6

    /// Times are stored as milliseconds since 1970 UTC; canonical values as `CanonicalEncoding` bytes
    /// with their hash (the UInt64 bit pattern in an INTEGER); sides as "ghl" / "espo".
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (
                    id INTEGER PRIMARY KEY,
                    mode TEXT NOT NULL,
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER,
                    status TEXT NOT NULL,
                    summary TEXT
                );

                CREATE TABLE watermark (
                    entity TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('ghl', 'espo')),
                    value TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (entity, side)
                ) WITHOUT ROWID;

                -- One row per record last fetched. `identity` holds the mapping's identity values joined
                -- with U+001F; `seen_run` the last run whose listing held the record. Without a rowid, the
                -- rows sit in key order in one B-tree: the planner finds a record's hash and payload with one
                -- lookup, and GHL records in the order it walks the links. The payload comes last, so an
                -- overflowing payload never pushes the small columns off the page.
                CREATE TABLE snapshot (
                    entity TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('ghl', 'espo')),
                    record_id TEXT NOT NULL,
                    updated_at INTEGER,
                    in_scope INTEGER NOT NULL,
                    hash INTEGER NOT NULL,
                    identity TEXT NOT NULL,
                    seen_run INTEGER NOT NULL,
                    payload BLOB NOT NULL,
                    PRIMARY KEY (entity, side, record_id)
                ) WITHOUT ROWID;

                -- Keyed by (entity, ghl_id) without a rowid: the planner walks it in GHL id order, the
                -- order of the GHL snapshot index, and finds the base in the row it already reads.
                CREATE TABLE link (
                    entity TEXT NOT NULL,
                    ghl_id TEXT NOT NULL,
                    espo_id TEXT NOT NULL,
                    base BLOB NOT NULL,
                    base_hash INTEGER NOT NULL,
                    paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
                    PRIMARY KEY (entity, ghl_id),
                    UNIQUE (entity, espo_id)
                ) WITHOUT ROWID;

                CREATE TABLE journal (
                    id INTEGER PRIMARY KEY,
                    run INTEGER NOT NULL REFERENCES run (id),
                    entity TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT CHECK (target IN ('ghl', 'espo')),
                    ghl_id TEXT,
                    espo_id TEXT,
                    operation TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'in-flight', 'applied', 'failed', 'unknown')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_id TEXT,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX journal_run ON journal (run);
                CREATE INDEX journal_unfinished ON journal (entity) WHERE status <> 'applied';

                -- Values are JSON text (NULL: the side did not have the field).
                CREATE TABLE conflict (
                    id INTEGER PRIMARY KEY,
                    entity TEXT NOT NULL,
                    ghl_id TEXT NOT NULL,
                    espo_id TEXT NOT NULL,
                    field TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('values', 'delete-versus-edit')),
                    deleted_on TEXT CHECK (deleted_on IN ('ghl', 'espo')),
                    base_value TEXT,
                    ghl_value TEXT,
                    espo_value TEXT,
                    policy TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'applied')),
                    taken TEXT CHECK (taken IN ('ghl', 'espo')),
                    detected_run INTEGER NOT NULL REFERENCES run (id),
                    updated_at INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX conflict_open ON conflict (entity, ghl_id, espo_id, field) WHERE status = 'open';
                CREATE INDEX conflict_status ON conflict (entity, status);
                CREATE INDEX conflict_run ON conflict (detected_run);

                -- Sealed (AES-GCM) by the caller: opaque bytes here.
                CREATE TABLE token (
                    name TEXT PRIMARY KEY,
                    sealed BLOB NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
            try stamp(db, version: 1)
        }
        // v2: a journal entry of an earlier run can be "superseded": the next run reconciled it and
        // planned afresh from the current state, so it is history, not a pending failure.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TABLE journal_v2 (
                    id INTEGER PRIMARY KEY,
                    run INTEGER NOT NULL REFERENCES run (id),
                    entity TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT CHECK (target IN ('ghl', 'espo')),
                    ghl_id TEXT,
                    espo_id TEXT,
                    operation TEXT NOT NULL,
                    status TEXT NOT NULL
                        CHECK (status IN ('pending', 'in-flight', 'applied', 'failed', 'unknown', 'superseded')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_id TEXT,
                    updated_at INTEGER NOT NULL
                );
                INSERT INTO journal_v2 SELECT * FROM journal;
                DROP TABLE journal;
                ALTER TABLE journal_v2 RENAME TO journal;
                CREATE INDEX journal_run ON journal (run);
                CREATE INDEX journal_unfinished ON journal (entity) WHERE status NOT IN ('applied', 'superseded');
                """)
            try stamp(db, version: 2)
        }
        // v3: a record whose delete was applied or seen is remembered, so that a snapshot row left behind
        // (a listing that still shows it, an index that lags) is never a reason to create it again.
        migrator.registerMigration("v3") { db in
            try db.execute(sql: """
                CREATE TABLE tombstone (
                    entity TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('ghl', 'espo')),
                    record_id TEXT NOT NULL,
                    deleted_at INTEGER NOT NULL,
                    PRIMARY KEY (entity, side, record_id)
                ) WITHOUT ROWID;
                """)
            try stamp(db, version: 3)
        }
        // v4: what a system refuses us to do to a record (only a note's author may edit or delete it),
        // as JSON {"edit": reason, "delete": reason}; NULL when nothing is refused.
        migrator.registerMigration("v4") { db in
            try db.execute(sql: "ALTER TABLE snapshot ADD COLUMN refusal TEXT")
            try stamp(db, version: 4)
        }
        // v5: `serve`'s durable inbox of webhook and poll events (hints: a record to read again), and
        // the time each entity last synced without a failure, for the health metrics.
        migrator.registerMigration("v5") { db in
            try db.execute(sql: """
                -- One row per accepted event, written before the receiver answers. `dedupe_key` is unique
                -- among the rows that keep it (GHL: the webhookId, kept a day against replays; EspoCRM:
                -- subscription, record and item hash, released once a pass takes it). `object` is the API's name
                -- for the record's type on `side` (GHL "contact", EspoCRM "Contact"); `parent_id` the
                -- record's parent on that side when the event says (a GHL task's contact).
                CREATE TABLE inbox (
                    id INTEGER PRIMARY KEY,
                    source TEXT NOT NULL,
                    dedupe_key TEXT UNIQUE,
                    event TEXT NOT NULL,
                    object TEXT NOT NULL,
                    side TEXT NOT NULL CHECK (side IN ('ghl', 'espo')),
                    record_id TEXT NOT NULL,
                    parent_id TEXT,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    received_at INTEGER NOT NULL,
                    applied_at INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT
                );
                CREATE INDEX inbox_pending ON inbox (id) WHERE applied_at IS NULL;
                CREATE INDEX inbox_applied ON inbox (applied_at) WHERE applied_at IS NOT NULL;

                CREATE TABLE entity_health (
                    entity TEXT PRIMARY KEY,
                    last_success_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
            try stamp(db, version: 5)
        }
        // v6: the id of the key that sealed each token (a fingerprint, never the key), so a secret that
        // does not open can say whether `$tokenKeyEnv` holds another key than the one that sealed it.
        // NULL for rows sealed before v6: unknown until the next save or `auth rotate-key`.
        migrator.registerMigration("v6") { db in
            try db.execute(sql: "ALTER TABLE token ADD COLUMN key_id TEXT")
            try stamp(db, version: 6)
        }
        return migrator
    }()

    /// Marks the file as ours at `version`; the last statement of every migration.
    private static func stamp(_ db: Database, version: Int) throws {
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(sql: "PRAGMA user_version = \(version)")
    }
}
