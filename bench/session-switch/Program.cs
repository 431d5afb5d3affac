// Bytes written and time per session switch with several slots (--parallel 2, three sessions, so every turn moves a
// session's KV state to its file and another's back): the engine appending only the cells a session added since its
// file was written, against the same engine writing every state whole (a store that refuses appends, as Frugal did
// before), in one run, alternating. Usage:
//   dotnet run -c Release --project bench/session-switch -- MODEL.gguf [CONTEXT=2048] [HISTORY_TOKENS=300] [ROUNDS=4] [REPEATS=2]
// With "shift" first it measures instead what a context shift costs on arrival (ShiftCost.cs).
using System.Globalization;
using Frugal;
using Frugal.Inference;
using Frugal.Inference.State;
using Microsoft.Extensions.Logging;

if (args is ["shift", var shiftModel, ..])
{
    // dotnet run -c Release --project bench/session-switch -- shift MODEL.gguf [CONTEXT=2048] [LONG_TOKENS=1200] [PAIRS=4]
    await ShiftCost.RunAsync(shiftModel, Arg(2, 2048), Arg(3, 1200), Arg(4, 4));
    return;
}

var model = args.Length > 0 ? args[0] : throw new ArgumentException("usage: MODEL.gguf [CONTEXT] [HISTORY_TOKENS] [ROUNDS] [REPEATS], or shift MODEL.gguf [CONTEXT] [LONG_TOKENS] [PAIRS]");
var context = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2048;
var history = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 300;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 4;
var repeats = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 2;

var results = new Dictionary<bool, List<Switch>> { [true] = [], [false] = [] };
for (var repeat = 0; repeat < repeats; repeat++)
{
    foreach (var append in new[] { true, false })
    {
        var switches = await RunAsync(append);
        results[append].AddRange(switches);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {repeat + 1} {(append ? "append" : "whole ")}: {switches.Count} saves, {switches.Sum(s => s.Bytes) / 1048576.0:F1} MiB written, median {Median(switches.Select(s => s.Milliseconds)):F1} ms a save"));
    }
}

double BytesPerSwitch(bool append) => results[append].Average(s => (double)s.Bytes);
double MsPerSwitch(bool append) => Median(results[append].Select(s => s.Milliseconds));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"bytes per switch: append {BytesPerSwitch(true) / 1048576.0:F2} MiB, whole {BytesPerSwitch(false) / 1048576.0:F2} MiB, append/whole {BytesPerSwitch(true) / BytesPerSwitch(false):F3}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"time per switch (median save): append {MsPerSwitch(true):F1} ms, whole {MsPerSwitch(false):F1} ms, append/whole {MsPerSwitch(true) / MsPerSwitch(false):F3}"));
return;

async Task<List<Switch>> RunAsync(bool append)
{
    var directory = Directory.CreateTempSubdirectory("frugal-session-switch-").FullName;
    try
    {
        var files = new TieredSessionStateStore(new TieredSessionStateStoreOptions
        {
            DataDirectory = directory,
            ModelIdentity = ModelFileIdentity.Compute(model),
            MemoryBudget = ByteSize.Zero,
        });
        var store = new CountingStore(files, append);
        var engine = await LlamaEngine.LoadAsync(new EngineOptions
        {
            ModelPath = model,
            ContextSize = context,
            ParallelSequences = 2,
            SessionStateStore = store,
        }, new SaveLog(store));
        await using (engine.ConfigureAwait(false))
        {
            var sessions = Enumerable.Range(0, 3).Select(i => new List<ChatTurn> { new(ChatRole.System, "You answer briefly.") }).ToArray();
            var words = string.Join(' ', Enumerable.Repeat("the river runs past the old mill and on to the sea", history / 12 + 1));
            for (var round = 0; round <= rounds; round++)
            {
                for (var i = 0; i < sessions.Length; i++)
                {
                    var text = round == 0 ? $"Session {i}: {words}" : $"Round {round}: and then what happened to the mill?";
                    sessions[i].Add(new ChatTurn(ChatRole.User, text));
                    var reply = new System.Text.StringBuilder();
                    await foreach (var update in engine.GenerateAsync(new GenerationRequest
                    {
                        Messages = [.. sessions[i]],
                        MaxTokens = 8,
                        Sampling = SamplingOptions.Default with { Temperature = 0f },
                        SessionKey = $"s{i}",
                    }))
                    {
                        reply.Append(update.Text);
                    }

                    sessions[i].Add(new ChatTurn(ChatRole.Assistant, reply.ToString()));
                }
            }
        }

        // The first save of each session is whole in both modes: only later ones can append.
        return [.. store.Switches.Skip(3)];
    }
    finally
    {
        Directory.Delete(directory, recursive: true);
    }
}

int Arg(int index, int otherwise) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : otherwise;

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

/// <summary>One save of a session's state: the bytes the store was handed and the engine's time for the save.</summary>
internal sealed record Switch(long Bytes, double Milliseconds);

/// <summary>The real file store, counting what it is handed; with appends refused, every save is whole (as before).</summary>
internal sealed class CountingStore(TieredSessionStateStore inner, bool append) : ISessionStateStore
{
    private long _pending;

    public List<Switch> Switches { get; } = [];

    public long MemoryBytes => inner.MemoryBytes;

    public long DiskBytes => inner.DiskBytes;

    public void Put(string key, IReadOnlyList<int> tokens, ReadOnlyMemory<byte> state)
    {
        _pending = state.Length + (4L * tokens.Count);
        inner.Put(key, tokens, state);
    }

    public bool Append(string key, int keptTokens, IReadOnlyList<int> tokens, ReadOnlyMemory<byte> state)
    {
        if (!append || !inner.Append(key, keptTokens, tokens, state))
        {
            return false;
        }

        _pending = state.Length + (4L * tokens.Count);
        return true;
    }

    public void Saved(double milliseconds) => Switches.Add(new Switch(Interlocked.Exchange(ref _pending, 0), milliseconds));

    public SavedSessionState? TryGet(string key) => inner.TryGet(key);

    public void Invalidate(string key) => inner.Invalidate(key);

    public void Delete(string key) => inner.Delete(key);

    public bool IsDeleted(string key) => inner.IsDeleted(key);

    public void ReleaseMemory() => inner.ReleaseMemory();
}

/// <summary>Reads the engine's "saved" and "appended" log lines (events 2003 and 2008) for the time each save took.</summary>
internal sealed class SaveLog(CountingStore store) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id is 2003 or 2008 && state is IReadOnlyList<KeyValuePair<string, object?>> values
            && values.FirstOrDefault(v => v.Key == "ElapsedMs").Value is double milliseconds)
        {
            store.Saved(milliseconds);
        }
    }
}
