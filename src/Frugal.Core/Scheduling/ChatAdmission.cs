using Frugal.Memory;

namespace Frugal.Scheduling;

/// <summary>What admission decided for a request (the first <see cref="ChatUpdate"/>).</summary>
public sealed record ChatAdmission
{
    /// <summary>An admission with nothing to say.</summary>
    public static ChatAdmission Plain { get; } = new();

    /// <summary>What the memory governor did to the request (level, cap, trim); null when no governor is in front.</summary>
    public MemoryNotice? Memory { get; init; }

    /// <summary>Tokens of the formatted prompt (0 when the caller did not count them).</summary>
    public int PromptTokens { get; init; }

    /// <summary>Earlier messages left out of the prompt for lack of room (not counting the governor's trim, in <see cref="Memory"/>).</summary>
    public int OmittedMessages { get; init; }

    /// <summary>All messages left out: for lack of room, and by the governor's trim under pressure.</summary>
    public int AllOmittedMessages => OmittedMessages + (Memory?.DroppedMessages ?? 0);
}
