using System.CommandLine;
using System.Globalization;
using Frugal.Cli.Configuration;
using Frugal.Users;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal user add|list|revoke|rotate</c>: who may call the server. A new key is printed once, alone on the last line.</summary>
internal static class UserCommand
{
    public static Command Create()
    {
        var command = new Command("user", "Add, list, revoke and rotate the keys of the users allowed to call the server.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        command.Subcommands.Add(Rotate());
        return command;
    }

    /// <summary>The environment variable naming the data directory (the installed <c>frugal</c> sets it to the service's).</summary>
    public const string DataVariable = "FRUGAL_DATA";

    /// <summary>The <c>--data</c> option shared with <c>serve</c>.</summary>
    public static Option<string> DataOption() => new("--data")
    {
        Description = $"Directory of the server's database (default: ${DataVariable}, else {StorageOptions.DefaultDirectory}).",
        DefaultValueFactory = _ => DefaultDataDirectory,
    };

    /// <summary>The data directory when none is given: <c>$FRUGAL_DATA</c>, else <see cref="StorageOptions.DefaultDirectory"/>.</summary>
    public static string DefaultDataDirectory =>
        Environment.GetEnvironmentVariable(DataVariable) is { Length: > 0 } data ? data : StorageOptions.DefaultDirectory;

    /// <summary>Writes <c>frugal: MESSAGE</c> to stderr and returns exit code 2.</summary>
    public static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync($"frugal: {message}").ConfigureAwait(false);
        return 2;
    }

    private static Command Add()
    {
        var name = new Argument<string>("NAME") { Description = "The new user's name (letters, digits, '.', '_', '-')." };
        var data = DataOption();
        var database = CommandStore.DatabaseOption();
        var command = new Command("add", "Add a user and print their API key (shown once: keep it).") { name, data, database };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(database), parse.GetValue(data)!, async store =>
        {
            var userName = parse.GetValue(name)!;
            if (UserNames.Validate(userName) is { } problem)
            {
                return await FailAsync(problem).ConfigureAwait(false);
            }

            var created = await store.CreateAsync(userName, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Added user '{created.User.Name}'. Their API key (shown only now; send it as 'Authorization: Bearer KEY'):").ConfigureAwait(false);
            await Console.Out.WriteLineAsync(created.ApiKey).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var data = DataOption();
        var database = CommandStore.DatabaseOption();
        var command = new Command("list", "List the users (never their keys).") { data, database };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(database), parse.GetValue(data)!, async store =>
        {
            var users = await store.ListAsync(cancellationToken).ConfigureAwait(false);
            if (users.Count == 0)
            {
                await Console.Out.WriteLineAsync("No users yet; add one with 'frugal user add NAME'.").ConfigureAwait(false);
            }

            foreach (var user in users)
            {
                var state = user.RevokedAt is { } revoked ? "revoked " + revoked.ToString("u", CultureInfo.InvariantCulture) : "active";
                await Console.Out.WriteLineAsync($"{user.Name,-24} added {user.CreatedAt.ToString("u", CultureInfo.InvariantCulture)}  {state}").ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static Command Rotate()
    {
        var name = new Argument<string>("NAME") { Description = "The user who gets a new key (a revoked user becomes active again)." };
        var data = DataOption();
        var database = CommandStore.DatabaseOption();
        var command = new Command("rotate", "Issue a new API key and revoke the old ones at once (shown once: keep it).") { name, data, database };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(database), parse.GetValue(data)!, async store =>
        {
            var userName = parse.GetValue(name)!;
            if (await store.RotateAsync(userName, cancellationToken).ConfigureAwait(false) is not { } rotated)
            {
                return await FailAsync($"no user named '{userName}'; add one with 'frugal user add {userName}'.").ConfigureAwait(false);
            }

            await Console.Out.WriteLineAsync($"New key for '{rotated.User.Name}'; their old keys stopped working. The key (shown only now):").ConfigureAwait(false);
            await Console.Out.WriteLineAsync(rotated.ApiKey).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var name = new Argument<string>("NAME") { Description = "The user whose keys stop working." };
        var data = DataOption();
        var database = CommandStore.DatabaseOption();
        var command = new Command("revoke", "Revoke a user: their keys stop working at once, their sessions stay stored.") { name, data, database };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(database), parse.GetValue(data)!, async store =>
        {
            var userName = parse.GetValue(name)!;
            if (!await store.RevokeAsync(userName, cancellationToken).ConfigureAwait(false))
            {
                return await FailAsync($"no active user named '{userName}'.").ConfigureAwait(false);
            }

            await Console.Out.WriteLineAsync($"Revoked user '{userName}'.").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    // A taken name, a bad name, an unusable data directory or an unreachable database is one line on stderr, never a stack trace.
    private static async Task<int> RunAsync(string? database, string dataDirectory, Func<IUserStore, Task<int>> body)
    {
        try
        {
            return await CommandStore.WithUsersAsync(CommandStore.Locate(database, dataDirectory), body).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DuplicateUserException or IOException or UnauthorizedAccessException
            or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            return await FailAsync(e.Message).ConfigureAwait(false);
        }
    }
}
