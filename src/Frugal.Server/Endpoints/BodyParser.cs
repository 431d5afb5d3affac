using Frugal.Requests;

namespace Frugal.Server.Endpoints;

/// <summary>A dialect's body reader: the bytes into its contract, or a <see cref="ChatRequestException"/>.</summary>
internal delegate T BodyParser<out T>(ReadOnlySpan<byte> body);
