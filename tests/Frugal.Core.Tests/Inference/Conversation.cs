using Frugal.Inference;

namespace Frugal.Tests.Inference;

/// <summary>A conversation the session tests take turn by turn: its session key and the messages so far, system first.</summary>
internal sealed class Conversation(string key)
{
    public string Key { get; } = key;

    public List<ChatTurn> Messages { get; } = [new ChatTurn(ChatRole.System, "You are helpful.")];
}
