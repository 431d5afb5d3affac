using System.CommandLine;
using System.Globalization;
using Frugal.Storage;

namespace Frugal.Cli.Commands;

/// <summary>
/// <c>frugal backup [--data DIR] [--database DB] -o FILE</c> (safe while the server runs) and <c>frugal restore FILE</c>
/// (with the server stopped; the replaced database is kept aside). SQLite through its online backup API, PostgreSQL
/// through <c>pg_dump</c>/<c>pg_restore</c>.
/// </summary>
internal static class BackupCommand
{
    public static Command CreateBackup()
    {
        var output = new Option<string>("--output", "-o") { Description = "The backup file to write (replaced atomically).", Required = true, HelpName = "FILE" };
        var data = UserCommand.DataOption();
        var database = CommandStore.DatabaseOption();
        var command = new Command("backup", "Take a consistent copy of the database, also while the server runs.") { output, data, database };
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            var summary = await For(parse.GetValue(database), parse.GetValue(data)!).BackupAsync(parse.GetValue(output)!, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Backed up to {Describe(summary)}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command CreateRestore()
    {
        var file = new Argument<string>("FILE") { Description = "A file written by 'frugal backup'." };
        var data = UserCommand.DataOption();
        var database = CommandStore.DatabaseOption();
        var command = new Command("restore", "Put a backup in place of the database (stop the server first; the current database is kept aside).") { file, data, database };
        command.SetAction((parse, cancellationToken) => RunAsync(async () =>
        {
            var summary = await For(parse.GetValue(database), parse.GetValue(data)!).RestoreAsync(parse.GetValue(file)!, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Restored {Describe(summary)}").ConfigureAwait(false);
            if (summary.KeptAside is { } aside)
            {
                await Console.Out.WriteLineAsync($"The database it replaced is kept as {aside}.").ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static IDatabaseBackup For(string? database, string dataDirectory) =>
        CommandStore.Backup(CommandStore.Locate(database, dataDirectory), dataDirectory);

    private static string Describe(BackupSummary summary) => string.Create(CultureInfo.InvariantCulture,
        $"{summary.Path}: {summary.Bytes:N0} bytes, schema version {summary.SchemaVersion}, {summary.Users} users, {summary.Sessions} sessions, {summary.Messages} messages.");

    private static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            return await UserCommand.FailAsync(e.Message).ConfigureAwait(false);
        }
    }
}
