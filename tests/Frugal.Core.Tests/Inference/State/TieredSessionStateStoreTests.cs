using Frugal.Inference.State;
using Microsoft.Extensions.Options;

namespace Frugal.Tests.Inference.State;

public sealed class TieredSessionStateStoreTests : IDisposable
{
    // A state of 1,000 bytes with 10 tokens: 1,040 bytes in RAM, 1,160 bytes as a file.
    private const int StateBytes = 1000;
    private const int TokenCount = 10;
    private const long MemoryEntryBytes = StateBytes + (4 * TokenCount);
    private const long FileBytes = 88 + (4 * TokenCount) + StateBytes + 32;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "frugal-kv-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void TryGet_AfterPut_ReturnsSameTokensAndBytes()
    {
        var store = Open();
        var (tokens, state) = MakeState(1);
        store.Put("session:1", tokens, state);

        var saved = store.TryGet("session:1");

        Assert.NotNull(saved);
        Assert.Equal(tokens, saved.Tokens);
        Assert.Equal(state, saved.Chunks.Single().State.ToArray());
        Assert.Null(store.TryGet("session:2"));
    }

    [Fact]
    public void Put_OverMemoryBudget_SpillsLeastRecentlyUsedToDisk()
    {
        var store = Open(memory: 2 * MemoryEntryBytes, disk: 10 * FileBytes);
        Put(store, "a", 1);
        Put(store, "b", 2);
        Assert.NotNull(store.TryGet("a")); // a is now more recent than b
        Put(store, "c", 3);

        Assert.Equal(2 * MemoryEntryBytes, store.MemoryBytes);
        Assert.Equal(1, store.DiskCount);
        Assert.Equal(FileBytes, store.DiskBytes);
        // b went to disk, and still comes back whole.
        Assert.Equal(MakeState(2).State, store.TryGet("b")!.Chunks.Single().State.ToArray());
        Assert.Single(Directory.GetFiles(store.Directory));
    }

    [Fact]
    public void Put_ManyStates_NeverHoldsMoreThanEitherBudget()
    {
        var memoryBudget = (3 * MemoryEntryBytes) + 7;
        var diskBudget = (4 * FileBytes) + 11;
        var store = Open(memory: memoryBudget, disk: diskBudget);

        for (var i = 0; i < 40; i++)
        {
            Put(store, $"s{i}", i, stateBytes: 500 + (i * 37 % 900));
            Assert.InRange(store.MemoryBytes, 0, memoryBudget);
            Assert.InRange(store.DiskBytes, 0, diskBudget);
            Assert.InRange(Directory.GetFiles(store.Directory).Sum(f => new FileInfo(f).Length), 0, diskBudget);
        }

        // The most recent states are kept; the oldest are gone from both tiers.
        Assert.NotNull(store.TryGet("s39"));
        Assert.Null(store.TryGet("s0"));
    }

    [Fact]
    public void Put_DiskFull_EvictsLeastRecentlyUsedFile()
    {
        var store = Open(memory: 0, disk: 2 * FileBytes);
        Put(store, "a", 1);
        Put(store, "b", 2);
        Assert.NotNull(store.TryGet("a"));
        Put(store, "c", 3);

        Assert.NotNull(store.TryGet("a"));
        Assert.Null(store.TryGet("b"));
        Assert.NotNull(store.TryGet("c"));
        Assert.Equal(2, Directory.GetFiles(store.Directory).Length);
    }

    [Fact]
    public void Put_LargerThanBothBudgets_IsDropped()
    {
        var store = Open(memory: 100, disk: 100);
        Put(store, "a", 1);

        Assert.Null(store.TryGet("a"));
        Assert.Equal(0, store.MemoryBytes);
        Assert.Equal(0, store.DiskBytes);
    }

    [Fact]
    public void Put_SameKeyAgain_ReplacesEverywhere()
    {
        var store = Open(memory: 0, disk: 10 * FileBytes);
        Put(store, "a", 1);
        Put(store, "a", 2);

        Assert.Equal(MakeState(2).State, store.TryGet("a")!.Chunks.Single().State.ToArray());
        Assert.Single(Directory.GetFiles(store.Directory));
    }

    [Fact]
    public void Invalidate_StateInBothTiers_RemovesItAndItsFile()
    {
        var store = Open(memory: MemoryEntryBytes, disk: 10 * FileBytes);
        Put(store, "a", 1);
        Put(store, "b", 2); // a spills to disk

        store.Invalidate("a");
        store.Invalidate("b");

        Assert.Null(store.TryGet("a"));
        Assert.Null(store.TryGet("b"));
        Assert.Empty(Directory.GetFiles(store.Directory));
        Assert.Equal(0, store.MemoryBytes + store.DiskBytes);
    }

    [Fact]
    public void ReleaseMemory_StatesInRam_MovesThemToDisk()
    {
        var store = Open();
        Put(store, "a", 1);
        Put(store, "b", 2);

        store.ReleaseMemory();

        Assert.Equal(0, store.MemoryBytes);
        Assert.Equal(2 * FileBytes, store.DiskBytes);
        Assert.Equal(MakeState(1).State, store.TryGet("a")!.Chunks.Single().State.ToArray());
    }

    [Fact]
    public void Release_HighPressure_SpillsRamTierAndReportsBytes()
    {
        var store = Open();
        Put(store, "a", 1);
        var releaser = new Frugal.Memory.SessionStateReleaser(store);

        Assert.Equal(0, releaser.Release(Frugal.Memory.MemoryPressureLevel.Low));
        Assert.Equal(MemoryEntryBytes, releaser.Release(Frugal.Memory.MemoryPressureLevel.High));
        Assert.Equal(0, store.MemoryBytes);
        Assert.NotNull(store.TryGet("a"));
    }

    [Fact]
    public void Open_AfterRestart_FindsStatesOnDisk()
    {
        var first = Open();
        Put(first, "a", 1);
        Put(first, "b", 2);
        first.ReleaseMemory();

        var second = Open();

        Assert.Equal(2, second.DiskCount);
        Assert.Equal(MakeState(2).Tokens, second.TryGet("b")!.Tokens);
        Assert.Equal(MakeState(1).State, second.TryGet("a")!.Chunks.Single().State.ToArray());
    }

    [Fact]
    public void Open_OtherModelIdentity_DiscardsOldStates()
    {
        var first = Open(identity: "model-one");
        Put(first, "a", 1);
        first.ReleaseMemory();
        var firstDirectory = first.Directory;

        var second = Open(identity: "model-two");

        Assert.Null(second.TryGet("a"));
        Assert.Equal(0, second.DiskBytes);
        Assert.False(Directory.Exists(firstDirectory));
    }

    [Fact]
    public void Open_CorruptedFiles_IgnoresAndDeletesThem()
    {
        var first = Open(memory: 0);
        Put(first, "truncated", 1);
        Put(first, "flipped", 2);
        Put(first, "good", 3);
        var files = Directory.GetFiles(first.Directory);
        var truncated = files.Single(f => f.Contains(Hash("truncated"), StringComparison.Ordinal));
        var flipped = files.Single(f => f.Contains(Hash("flipped"), StringComparison.Ordinal));
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..500]);
        var bytes = File.ReadAllBytes(flipped);
        bytes[400] ^= 0xFF; // in the state bytes: only the checksum can tell
        File.WriteAllBytes(flipped, bytes);

        var second = Open(memory: 0);

        Assert.Null(second.TryGet("truncated"));
        Assert.Null(second.TryGet("flipped"));
        Assert.NotNull(second.TryGet("good"));
        Assert.Single(Directory.GetFiles(second.Directory));
        Assert.Equal(FileBytes, second.DiskBytes);
    }

    [Fact]
    public void Open_FileRenamedToAnotherKey_IsRejected()
    {
        var first = Open(memory: 0);
        Put(first, "alice", 1);
        var file = Directory.GetFiles(first.Directory).Single();
        File.Move(file, Path.Combine(first.Directory, Hash("bob") + ".state"));

        var second = Open(memory: 0);

        Assert.Null(second.TryGet("bob"));
        Assert.Empty(Directory.GetFiles(second.Directory));
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("/tmp/evil")]
    [InlineData("..\\..\\x")]
    [InlineData("a/b\0c")]
    public void Put_KeyLooksLikeAPath_FileStaysInsideStoreDirectory(string key)
    {
        var store = Open(memory: 0);
        Put(store, key, 1);

        var file = Assert.Single(Directory.GetFiles(store.Directory));
        Assert.Equal(Hash(key) + ".state", Path.GetFileName(file));
        Assert.Single(Directory.GetFiles(_dataDirectory, "*", SearchOption.AllDirectories));
        Assert.NotNull(store.TryGet(key));
    }

    [Fact]
    public void Append_ToAFile_KeepsTheChunksInOrderAcrossARestart()
    {
        var first = Open(memory: 0);
        var (more, moreState) = PutWithSecondChunk(first);

        Assert.Equal(FileBytes + ChunkBytes(TokenCount, 300), first.DiskBytes);
        var second = Open(memory: 0);
        using var saved = second.TryGet("a");
        Assert.NotNull(saved);
        Assert.True(saved.Extendable);
        Assert.Equal([.. MakeState(1).Tokens, .. more], saved.Tokens);
        Assert.Equal([TokenCount, TokenCount], saved.Chunks.Select(c => c.TokenCount));
        Assert.Equal(MakeState(1).State, saved.Chunks[0].State.ToArray());
        Assert.Equal(moreState, saved.Chunks[1].State.ToArray());
        Assert.Equal(first.DiskBytes, second.DiskBytes);
    }

    [Fact]
    public void Append_NothingNew_LeavesTheFileAsItIs()
    {
        var store = Open(memory: 0);
        Put(store, "a", 1);

        Assert.True(store.Append("a", TokenCount, [], ReadOnlyMemory<byte>.Empty));

        Assert.Equal(FileBytes, store.DiskBytes);
        Assert.Single(store.TryGet("a")!.Chunks);
    }

    [Fact]
    public void Append_NotExactlyTheKeptTokens_IsRefusedAndChangesNothing()
    {
        var store = Open(memory: 0);
        Put(store, "a", 1);
        var (more, moreState) = MakeState(2, 300);

        Assert.False(store.Append("a", TokenCount - 1, more, moreState));
        Assert.False(store.Append("a", TokenCount + 1, more, moreState));
        Assert.False(store.Append("unknown", TokenCount, more, moreState));

        Assert.Equal(FileBytes, store.DiskBytes);
        Assert.Equal(MakeState(1).Tokens, store.TryGet("a")!.Tokens);
    }

    [Fact]
    public void Append_StateInTheRamTier_IsRefused()
    {
        var store = Open(memory: 1 << 20);
        Put(store, "a", 1);
        var (more, moreState) = MakeState(2, 300);

        Assert.False(store.TryGet("a")!.Extendable);
        Assert.False(store.Append("a", TokenCount, more, moreState));
        Assert.Equal(MemoryEntryBytes, store.MemoryBytes);
    }

    [Fact]
    public void Append_OverTheDiskBudget_EvictsOlderFilesAndNeverHoldsMore()
    {
        var budget = (2 * FileBytes) + ChunkBytes(TokenCount, 300);
        var store = Open(memory: 0, disk: budget);
        Put(store, "old", 1);
        Put(store, "a", 2);
        Put(store, "b", 3);
        var (more, moreState) = MakeState(4, 300);

        Assert.True(store.Append("a", TokenCount, more, moreState));
        Assert.True(store.DiskBytes <= budget, $"{store.DiskBytes} bytes on disk, budget {budget}");
        Assert.Null(store.TryGet("old"));
        Assert.Equal(2, store.TryGet("a")!.Chunks.Count);

        // A file that would outgrow the whole budget is not extended (the caller puts the state whole).
        var (big, bigState) = MakeState(5, (int)budget);
        Assert.False(store.Append("a", 2 * TokenCount, big, bigState));
        Assert.True(store.DiskBytes <= budget);
    }

    [Fact]
    public void Append_AtTheMostChunks_IsRefused()
    {
        var store = Open(memory: 0, disk: 1 << 24);
        Put(store, "a", 1);
        var kept = TokenCount;
        for (var i = 1; i < TieredSessionStateStore.MaxChunks; i++)
        {
            Assert.True(store.Append("a", kept, [i], new byte[] { (byte)i }));
            kept++;
        }

        Assert.False(store.Append("a", kept, [99], new byte[] { 99 }));
        Assert.Equal(TieredSessionStateStore.MaxChunks, store.TryGet("a")!.Chunks.Count);
    }

    [Fact]
    public void Open_TornLastChunk_CutsItOffAndKeepsTheWholeOnes()
    {
        var first = Open(memory: 0);
        PutWithSecondChunk(first);
        var file = Directory.GetFiles(first.Directory).Single();
        using (var stream = new FileStream(file, FileMode.Open))
        {
            // A crash part-way through writing the second chunk.
            stream.SetLength(stream.Length - 100);
        }

        var second = Open(memory: 0);

        using var saved = second.TryGet("a");
        Assert.NotNull(saved);
        Assert.Equal(MakeState(1).Tokens, saved.Tokens);
        Assert.Single(saved.Chunks);
        Assert.Equal(FileBytes, second.DiskBytes);
        Assert.Equal(FileBytes, new FileInfo(file).Length);
    }

    [Fact]
    public void TryGet_LaterChunkCorrupted_ReturnsNothingAndDropsTheFile()
    {
        var store = Open(memory: 0);
        PutWithSecondChunk(store);
        var file = Directory.GetFiles(store.Directory).Single();
        var bytes = File.ReadAllBytes(file);
        bytes[^40] ^= 0xFF; // in the second chunk's state bytes
        File.WriteAllBytes(file, bytes);

        Assert.Null(store.TryGet("a"));
        Assert.Equal(0, store.DiskBytes);
        Assert.Empty(Directory.GetFiles(store.Directory));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingEveryProblem()
    {
        var options = new TieredSessionStateStoreOptions { DataDirectory = "", ModelIdentity = " ", DiskBudget = ByteSize.Parse("20t") };

        var error = Assert.Throws<OptionsValidationException>(() => new TieredSessionStateStore(options));

        Assert.Equal(3, error.Failures.Count());
    }

    private TieredSessionStateStore Open(long memory = 1 << 20, long disk = 1 << 20, string identity = "model") =>
        new(new TieredSessionStateStoreOptions
        {
            DataDirectory = _dataDirectory,
            ModelIdentity = identity,
            MemoryBudget = new ByteSize(memory),
            DiskBudget = new ByteSize(disk),
        });

    private static void Put(TieredSessionStateStore store, string key, int seed, int stateBytes = StateBytes)
    {
        var (tokens, state) = MakeState(seed, stateBytes);
        store.Put(key, tokens, state);
    }

    private static (int[] Tokens, byte[] State) MakeState(int seed, int stateBytes = StateBytes)
    {
        var random = new Random(seed);
        var tokens = Enumerable.Range(0, TokenCount).Select(_ => random.Next(32000)).ToArray();
        var state = new byte[stateBytes];
        random.NextBytes(state);
        return (tokens, state);
    }

    /// <summary>Puts the state of seed 1 under "a" and appends a second chunk of 10 tokens and 300 bytes (seed 2).</summary>
    private static (int[] Tokens, byte[] State) PutWithSecondChunk(TieredSessionStateStore store)
    {
        Put(store, "a", 1);
        var (more, moreState) = MakeState(2, 300);
        Assert.True(store.Append("a", TokenCount, more, moreState));
        return (more, moreState);
    }

    private static long ChunkBytes(int tokens, int stateBytes) => 12 + (4L * tokens) + stateBytes + 32;

    private static string Hash(string key) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
}
