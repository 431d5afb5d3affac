using Frugal.Inference;
using Frugal.Memory;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>
/// How a reply says what happened to it besides its text: the memory pressure it was admitted at and
/// what that cut (headers <see cref="PressureHeader"/> and <see cref="RestrictedHeader"/>, and the body),
/// and whether it came from the response cache (<see cref="CacheHeader"/> when known before the body, and the body).
/// </summary>
internal static class ResponseNotes
{
    /// <summary>The memory pressure level at admission: low, medium, high, critical.</summary>
    public const string PressureHeader = "X-Frugal-Memory-Pressure";

    /// <summary>What pressure cut from this request, comma-separated kinds: max_tokens, history.</summary>
    public const string RestrictedHeader = "X-Frugal-Restricted";

    /// <summary>"hit" when the reply came from the response cache, else "miss" (non-streamed answers only).</summary>
    public const string CacheHeader = "X-Frugal-Cache";

    /// <summary>Sets the memory headers; call before the first byte of the body.</summary>
    public static void WriteMemoryHeaders(HttpResponse response, MemoryNotice? memory)
    {
        if (memory is null)
        {
            return;
        }

        response.Headers[PressureHeader] = memory.LevelName;
        if (memory.Restricted)
        {
            response.Headers[RestrictedHeader] = string.Join(',', memory.Kinds());
        }
    }

    /// <summary>Sets the cache header; only where the whole reply is known before the body starts.</summary>
    public static void WriteCacheHeader(HttpResponse response, GenerationStats stats) =>
        response.Headers[CacheHeader] = stats.Cached ? "hit" : "miss";

    /// <summary>The <c>"frugal"</c> object of a chat completion.</summary>
    public static FrugalCompletionInfo Info(GenerationStats stats, MemoryNotice? memory) =>
        new(stats.Cached, memory?.LevelName, memory?.Describe() ?? []) { ContextShifted = stats.ShiftedOutTokens > 0 };
}
