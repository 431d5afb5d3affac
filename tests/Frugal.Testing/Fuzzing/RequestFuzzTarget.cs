using Frugal.Models;
using Frugal.Requests;

namespace Frugal.Testing.Fuzzing;

/// <summary>
/// One dialect's request reader as its endpoint runs it before anything is queued: the body parsed and turned into a
/// chat request by <paramref name="read"/> (null: a request the dialect answers without the model, such as Ollama's
/// load), then checked against a 512-token context and the model's vocabulary (<see cref="ChatRequestValidator"/>).
/// Its own error is <see cref="ChatRequestException"/>, which the endpoint answers as a 4xx in the dialect's error
/// shape; anything else would be a 500. <see cref="RequestFuzzTargets"/> makes one per endpoint.
/// </summary>
public sealed class RequestFuzzTarget(string name, ModelInfo model, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> dictionary,
    Func<byte[], ChatRequest?> read) : IFuzzTarget
{
    /// <summary>The context the requests are checked against (the test servers' size).</summary>
    public const int ContextSize = 512;

    public string Name => name;

    public IReadOnlyList<byte[]> Seeds => seeds;

    public IReadOnlyList<byte[]> Dictionary => dictionary;

    public int HotLength(byte[] seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return seed.Length;
    }

    public bool Run(byte[] input)
    {
        if (read(input) is not { } request)
        {
            return true;
        }

        _ = ChatRequestValidator.Check(request, ContextSize, model.VocabSize);
        _ = ChatRequestValidator.Sampling(request);
        return true;
    }

    public bool IsOwnError(Exception exception) => exception is ChatRequestException;
}
