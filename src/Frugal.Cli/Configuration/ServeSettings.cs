using Microsoft.Extensions.Configuration;

namespace Frugal.Cli.Configuration;

/// <summary>The settings tree of <c>frugal serve</c>, the files it read and what stops it (empty when nothing does).</summary>
internal sealed record ServeSettings(IConfiguration Configuration, IReadOnlyList<string> Sources, IReadOnlyList<string> Problems);
