using Microsoft.Data.Sqlite;

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
            if (e is SqliteException { SqliteErrorCode: SqliteFull }
                || (e is System.Data.Common.DbException { SqlState: PostgresDiskFull })
                || (e is IOException io && (io.HResult & 0xFFFF) == NoSpaceLeft))
            {
                return true;
            }
        }

        return false;
    }
}
