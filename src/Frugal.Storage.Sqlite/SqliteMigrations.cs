namespace Frugal.Storage.Sqlite;

/// <summary>
/// The schema, as an ordered list of migrations. A database records the versions applied in
/// <c>schema_version</c>; at start every newer one runs in its own transaction. Never edit a
/// published migration: append a new one.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<(int Version, string Description, string Sql)> All { get; } =
    [
        (1, "users, api keys, sessions, messages", """
            CREATE TABLE users (
                id          INTEGER PRIMARY KEY,
                name        TEXT    NOT NULL UNIQUE,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER
            );
            CREATE TABLE api_keys (
                id          INTEGER PRIMARY KEY,
                user_id     INTEGER NOT NULL REFERENCES users(id),
                lookup_id   TEXT    NOT NULL UNIQUE,
                salt        BLOB    NOT NULL,
                hash        BLOB    NOT NULL,
                created_at  INTEGER NOT NULL,
                revoked_at  INTEGER
            );
            CREATE TABLE sessions (
                id             TEXT    PRIMARY KEY,
                owner_id       TEXT    NOT NULL,
                title          TEXT,
                system_prompt  TEXT,
                created_at     INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL
            );
            CREATE INDEX ix_sessions_owner ON sessions(owner_id, updated_at);
            CREATE TABLE messages (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                session_id     TEXT    NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                role           TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
                content        TEXT    NOT NULL,
                token_count    INTEGER NOT NULL,
                finish_reason  TEXT,
                status         TEXT    NOT NULL CHECK (status IN ('complete', 'partial', 'failed')),
                created_at     INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL
            );
            CREATE INDEX ix_messages_session ON messages(session_id, id);
            """),
        (2, "messages: context_shifted", """
            ALTER TABLE messages ADD COLUMN context_shifted INTEGER NOT NULL DEFAULT 0;
            """),
        (3, "message versions (parent, current message), sampling settings per session", """
            ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE;
            UPDATE messages SET parent_id =
                (SELECT MAX(p.id) FROM messages p WHERE p.session_id = messages.session_id AND p.id < messages.id);
            CREATE INDEX ix_messages_parent ON messages(parent_id);
            ALTER TABLE sessions ADD COLUMN current_message_id INTEGER;
            UPDATE sessions SET current_message_id = (SELECT MAX(m.id) FROM messages m WHERE m.session_id = sessions.id);
            ALTER TABLE sessions ADD COLUMN max_tokens INTEGER;
            ALTER TABLE sessions ADD COLUMN temperature REAL;
            ALTER TABLE sessions ADD COLUMN top_p REAL;
            ALTER TABLE sessions ADD COLUMN top_k INTEGER;
            ALTER TABLE sessions ADD COLUMN seed INTEGER;
            """),
        (4, "messages: token_ids of replies", """
            ALTER TABLE messages ADD COLUMN token_ids BLOB;
            """),
    ];
}
