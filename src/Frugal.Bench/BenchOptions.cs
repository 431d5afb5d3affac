namespace Frugal.Bench;

/// <summary>What <see cref="BenchRunner"/> measures and how much of it (issue 5 §4 sets the defaults).</summary>
public sealed record BenchOptions
{
    /// <summary>The GGUF file, for the plain LLamaSharp baseline (the engine is loaded by the caller's loader).</summary>
    public required string ModelPath { get; init; }

    /// <summary>Context size of both the engine and the baseline.</summary>
    public int ContextSize { get; init; } = 2048;

    /// <summary>Tokens of the prompt whose evaluation speed is measured.</summary>
    public int PromptTokens { get; init; } = 512;

    /// <summary>Tokens decoded (end of sequence ignored) to measure decode speed.</summary>
    public int DecodeTokens { get; init; } = 128;

    /// <summary>Prompt and decode measurements are repeated this many times, alternating Frugal and the baseline; medians are reported.</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Turns of the chat whose time to first token is measured.</summary>
    public int Turns { get; init; } = 10;

    /// <summary>
    /// Each chat (alone, interleaved) is held this many times with fresh sessions and words, alternating
    /// the two; per turn the median time to first token is reported (one turn's time varies by ±20 % on a
    /// shared machine, and a ratio of two single turns by more).
    /// </summary>
    public int ChatRounds { get; init; } = 3;

    /// <summary>New user tokens per turn.</summary>
    public int UserTokensPerTurn { get; init; } = 60;

    /// <summary>Reply tokens per turn.</summary>
    public int ReplyTokensPerTurn { get; init; } = 64;

    /// <summary>Sessions taking turns in the interleaved chat.</summary>
    public int InterleavedSessions { get; init; } = 3;

    /// <summary>Whether the multi-turn chats (time to first token, the paired follow-ups) are measured.</summary>
    public bool Chats { get; init; } = true;

    /// <summary>Turns of the long chat alone (past the context, through the history window); 0 skips the long-chat phase.</summary>
    public int LongChatTurns { get; init; } = 40;

    /// <summary>Turns of each of the <see cref="InterleavedSessions"/> sessions in the interleaved long chat.</summary>
    public int LongChatInterleavedTurns { get; init; } = 30;

    /// <summary>Concurrent client counts whose aggregate decode speed is measured.</summary>
    public IReadOnlyList<int> ClientCounts { get; init; } = [1, 2, 4];

    /// <summary>Tokens each concurrent client asks for.</summary>
    public int ClientTokens { get; init; } = 64;

    /// <summary>
    /// <c>--profile quick</c>: prompt 128 and decode 64 tokens, one round against the baseline, no chats and no
    /// concurrent clients; a few minutes on the TinyLlama shape, for comparing model files (issue 18).
    /// </summary>
    public BenchOptions AsQuickProfile() => this with
    {
        PromptTokens = 128,
        DecodeTokens = 64,
        Rounds = 1,
        Chats = false,
        ClientCounts = [],
        LongChatTurns = 0,
    };

    /// <summary>
    /// <c>--profile long-chat</c>: the long-chat phase, with the rest cut to a minimum (prompt 128 and decode 16 tokens,
    /// one round, no other chats, no concurrent clients).
    /// </summary>
    public BenchOptions AsLongChatProfile() => this with
    {
        PromptTokens = 128,
        DecodeTokens = 16,
        Rounds = 1,
        Chats = false,
        ClientCounts = [],
    };

    /// <summary>A run small enough for a test on a tiny model: every phase, a few tokens each.</summary>
    public BenchOptions AsQuick() => this with
    {
        ContextSize = 512,
        PromptTokens = 48,
        DecodeTokens = 8,
        Rounds = 1,
        ChatRounds = 1,
        Turns = 3,
        UserTokensPerTurn = 12,
        ReplyTokensPerTurn = 4,
        ClientTokens = 4,
        LongChatTurns = 0,
    };
}
