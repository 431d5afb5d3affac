using Frugal.Requests;

namespace Frugal.Server.Endpoints;

/// <summary>A parameter this server does not implement is refused by name (400 <c>unsupported_parameter</c>), never silently ignored.</summary>
internal static class Refusal
{
    /// <summary>Throws when <paramref name="condition"/> holds: <paramref name="message"/> says what to send instead.</summary>
    public static void When(bool condition, string param, string message)
    {
        if (condition)
        {
            throw new ChatRequestException(message, param, "unsupported_parameter");
        }
    }
}
