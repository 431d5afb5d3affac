using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Frugal.Server.Hosting;

/// <summary>
/// Where the HTTP server listens and what it accepts (configuration section <c>Server</c>; <c>frugal serve</c>
/// maps <c>--host</c>, <c>--port</c>, <c>--max-body</c> and <c>--allowed-hosts</c> onto these keys). The model and
/// the generation stack are set in <see cref="DependencyInjection.FrugalOptions"/>.
/// </summary>
public sealed class FrugalServerOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Server";

    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 8080;

    /// <summary>Smallest <see cref="MaxRequestBodySize"/> accepted.</summary>
    public const long MinRequestBodyBytes = 1024;

    /// <summary>Default of <see cref="MaxRequestBodySize"/>.</summary>
    public static ByteSize DefaultMaxRequestBodySize { get; } = ByteSize.FromMebibytes(1);

    /// <summary>Address to bind: an IP address or <c>localhost</c>. Default 127.0.0.1.</summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary>TCP port; 0 picks a free one (tests read it back with <see cref="FrugalServer.GetBaseAddress"/>).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = DefaultPort;

    /// <summary>Largest request body accepted ("1m", "65536"); a bigger one gets 413.</summary>
    public ByteSize MaxRequestBodySize { get; set; } = DefaultMaxRequestBodySize;

    /// <summary>
    /// Host names (the Host header, without port) accepted besides localhost, 127.0.0.1, [::1] and
    /// the bound address. <c>*</c> accepts any (gives up DNS-rebinding protection).
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>True when <see cref="Host"/> is a loopback address or <c>localhost</c>.</summary>
    public bool IsLoopback => IsLocalhost || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    private bool IsLocalhost => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsLocalhost && !IPAddress.TryParse(Host, out _))
        {
            yield return new ValidationResult($"Server:Host '{Host}' is not an IP address or 'localhost'.", [nameof(Host)]);
        }

        if (MaxRequestBodySize.Bytes < MinRequestBodyBytes)
        {
            yield return new ValidationResult(
                $"Server:MaxRequestBodySize {MaxRequestBodySize} must be at least {MinRequestBodyBytes} bytes.", [nameof(MaxRequestBodySize)]);
        }
    }
}
