using System.Data.Common;

namespace Frugal.Server.Hosting;

/// <summary>Recognizes "the disk is full" in what a store or a file write threw, whatever wraps it.</summary>
internal static class StorageFull
{
    private const int SqliteFull = 13;       // SQLITE_FULL
    private const int NoSpaceLeft = 28;      // ENOSPC
    private const string PostgresDiskFull = "53100";

    public static bool Is(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (IsSqliteFull(e)
                || (e is DbException { SqlState: PostgresDiskFull })
                || (e is IOException io && (io.HResult & 0xFFFF) == NoSpaceLeft))
            {
                return true;
            }
        }

        return false;
    }

    // The server does not reference a store's driver (the CLI chooses the store): SQLite's exception is
    // recognised by its name and SQLite's result code, which it passes as the DbException's error code.
    private static bool IsSqliteFull(Exception e) =>
        e is DbException db
        && string.Equals(e.GetType().FullName, "Microsoft.Data.Sqlite.SqliteException", StringComparison.Ordinal)
        && (db.ErrorCode == SqliteFull || e.Message.Contains("database or disk is full", StringComparison.OrdinalIgnoreCase));
}
