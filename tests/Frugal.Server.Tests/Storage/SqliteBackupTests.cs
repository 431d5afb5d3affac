using Frugal.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Frugal.Tests.Storage;

/// <summary><see cref="SqliteBackup"/> on the real server's database while users chat.</summary>
public sealed class SqliteBackupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task BackupAsync_WhileChatting_ContainsEveryConfirmedMessage()
    {
        await using var server = await ServerFixture.StartAsync();
        using var alice = server.CreateClient();
        using var bob = server.CreateClient(server.BobKey);
        var confirmed = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        async Task ChatAsync(HttpClient client, string who)
        {
            var session = await client.CreateSessionAsync(who);
            for (var turn = 0; !stop.IsCancellationRequested; turn++)
            {
                var text = $"{who} message {turn}";
                await client.SendAsync(session, text, maxTokens: 4);  // asserts 200: the turn is stored
                confirmed.Add(text);
            }
        }

        var chats = new[] { ChatAsync(alice, "alice"), ChatAsync(bob, "bob") };
        var backups = new List<(string Path, string[] ConfirmedBefore)>();
        var backup = new SqliteBackup(server.DataDirectory);
        for (var i = 0; i < 4; i++)
        {
            // Each backup after one more confirmed turn, while the other user's turn is being written.
            while (confirmed.Count <= i && !chats.Any(c => c.IsFaulted))
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            var before = confirmed.ToArray();
            var path = Path.Combine(_temp.Path, $"backup-{i}.db");
            await backup.BackupAsync(path, TestContext.Current.CancellationToken);
            backups.Add((path, before));
        }

        await stop.CancelAsync();
        await Task.WhenAll(chats);

        Assert.Contains(backups, b => b.ConfirmedBefore.Length > 0);
        foreach (var (path, before) in backups)
        {
            var stored = UserMessages(path);
            Assert.All(before, text => Assert.Contains(text, stored));
            Assert.Equal("delete", Scalar(path, "PRAGMA journal_mode;"));  // one self-contained file
        }
    }

    [Fact]
    public async Task RestoreAsync_ServerLockHeld_RefusedAndNothingChanged()
    {
        var data = Path.Combine(_temp.Path, "data");
        var users = new SqliteUserStore(SqliteDatabase.Open(data));
        await users.CreateAsync("alice", TestContext.Current.CancellationToken);
        var backupPath = Path.Combine(_temp.Path, "b.db");
        var backup = new SqliteBackup(data);
        await backup.BackupAsync(backupPath, TestContext.Current.CancellationToken);
        await users.CreateAsync("bob", TestContext.Current.CancellationToken);

        using (DataDirectoryLock.TryAcquire(data))
        {
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => backup.RestoreAsync(backupPath, TestContext.Current.CancellationToken));
            Assert.Contains("stop it first", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, await users.CountActiveAsync(TestContext.Current.CancellationToken));
        var restored = await backup.RestoreAsync(backupPath, TestContext.Current.CancellationToken);
        Assert.Equal(1, restored.Users);
        Assert.Equal(1, await new SqliteUserStore(SqliteDatabase.Open(data)).CountActiveAsync(TestContext.Current.CancellationToken));
        Assert.True(File.Exists(restored.KeptAside));
    }

    [Fact]
    public async Task RestoreAsync_NotADatabase_RefusedWithTheFileName()
    {
        var junk = Path.Combine(_temp.Path, "junk.db");
        await File.WriteAllTextAsync(junk, "this is not SQLite", TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new SqliteBackup(Path.Combine(_temp.Path, "data")).RestoreAsync(junk,
            TestContext.Current.CancellationToken));

        Assert.Contains(junk, e.Message, StringComparison.Ordinal);
    }

    private static HashSet<string> UserMessages(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT content FROM messages WHERE role = 'user';";
        using var reader = command.ExecuteReader();
        var texts = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }

    private static string? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }
}
