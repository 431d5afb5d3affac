using Frugal.Models;

namespace Frugal.Inference.Templates;

/// <summary>One chat family's layout: how a conversation becomes prompt parts, and what ends a reply.</summary>
internal interface IChatFormat
{
    /// <summary>The family this format writes.</summary>
    ChatTemplateFamily Family { get; }

    /// <summary>
    /// Text that means the model has started a new turn on its own: generation stops there and the
    /// marker is not part of the reply.
    /// </summary>
    IReadOnlyList<string> TurnMarkers { get; }

    /// <summary>
    /// Lays out <paramref name="messages"/> (content neutralized) followed by the prompt that asks the
    /// model for the assistant's reply.
    /// </summary>
    IReadOnlyList<PromptPart> Format(IReadOnlyList<ChatTurn> messages, bool addBos);
}
