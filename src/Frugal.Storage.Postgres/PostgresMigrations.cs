namespace Frugal.Storage.Postgres;

/// <summary>
/// The schema, as an ordered list of migrations (the same tables as the SQLite store, in PostgreSQL's
/// types). A database records the versions applied in <c>schema_version</c>; see
/// <see cref="PostgresDatabase"/> for how several instances starting at once apply each exactly once.
/// Never edit a published migration: append a new one.
/// </summary>
internal static class PostgresMigrations
{
    public static IReadOnlyList<(int Version, string Description, string Sql)> All { get; } =
    [
        (1, "users, api keys, sessions, messages", """
            CREATE TABLE users (
                id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name        TEXT   NOT NULL UNIQUE,
                created_at  BIGINT NOT NULL,
                revoked_at  BIGINT
            );
            CREATE TABLE api_keys (
                id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                user_id     BIGINT NOT NULL REFERENCES users(id),
                lookup_id   TEXT   NOT NULL UNIQUE,
                salt        BYTEA  NOT NULL,
                hash        BYTEA  NOT NULL,
                created_at  BIGINT NOT NULL,
                revoked_at  BIGINT
            );
            CREATE TABLE sessions (
                id             TEXT   PRIMARY KEY,
                owner_id       TEXT   NOT NULL,
                title          TEXT,
                system_prompt  TEXT,
                created_at     BIGINT NOT NULL,
                updated_at     BIGINT NOT NULL
            );
            CREATE INDEX ix_sessions_owner ON sessions(owner_id, updated_at);
            CREATE TABLE messages (
                id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_id     TEXT    NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                role           TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
                content        TEXT    NOT NULL,
                token_count    INTEGER NOT NULL,
                finish_reason  TEXT,
                status         TEXT    NOT NULL CHECK (status IN ('complete', 'partial', 'failed')),
                created_at     BIGINT  NOT NULL,
                updated_at     BIGINT  NOT NULL
            );
            CREATE INDEX ix_messages_session ON messages(session_id, id);
            """),
        (2, "messages: context_shifted", """
            ALTER TABLE messages ADD COLUMN context_shifted BOOLEAN NOT NULL DEFAULT FALSE;
            """),
        (3, "message versions (parent, current message), sampling settings per session", """
            ALTER TABLE messages ADD COLUMN parent_id BIGINT REFERENCES messages(id) ON DELETE CASCADE;
            UPDATE messages m SET parent_id = x.previous
                FROM (SELECT id, LAG(id) OVER (PARTITION BY session_id ORDER BY id) AS previous FROM messages) x
                WHERE x.id = m.id AND x.previous IS NOT NULL;
            CREATE INDEX ix_messages_parent ON messages(parent_id);
            ALTER TABLE sessions ADD COLUMN current_message_id BIGINT;
            UPDATE sessions s SET current_message_id = (SELECT MAX(m.id) FROM messages m WHERE m.session_id = s.id);
            ALTER TABLE sessions ADD COLUMN max_tokens INTEGER;
            ALTER TABLE sessions ADD COLUMN temperature DOUBLE PRECISION;
            ALTER TABLE sessions ADD COLUMN top_p DOUBLE PRECISION;
            ALTER TABLE sessions ADD COLUMN top_k INTEGER;
            ALTER TABLE sessions ADD COLUMN seed BIGINT;
            """),
        (4, "messages: token_ids of replies", """
            ALTER TABLE messages ADD COLUMN token_ids BYTEA;
            """),
    ];
}
