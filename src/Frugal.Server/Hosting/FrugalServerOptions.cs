using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Frugal.Server.Hosting;

/// <summary>
/// Where the HTTP server listens and what it accepts (configuration section <c>Server</c>; <c>frugal serve</c>
/// maps <c>--host</c>, <c>--port</c>, <c>--max-body</c>, <c>--allowed-hosts</c>, <c>--tls-cert</c> and <c>--tls-key</c> onto these keys). The model and
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

    /// <summary>A PEM certificate (chain) file: Kestrel then speaks HTTPS; needs <see cref="TlsKeyPath"/>.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>True when Kestrel speaks HTTPS itself.</summary>
    public bool UsesTls => !string.IsNullOrEmpty(TlsCertificatePath);

    /// <summary>
    /// This instance's name in the <c>X-Frugal-Instance</c> response header (letters, digits, <c>.</c>, <c>_</c>,
    /// <c>:</c>, <c>-</c>; at most 64); null: the machine's name and the port.
    /// </summary>
    public string? InstanceName { get; set; }

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

        if (InstanceName is { } instance && (instance.Length is 0 or > 64 || !instance.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-')))
        {
            yield return new ValidationResult($"Server:InstanceName '{instance}' must be 1 to 64 letters, digits, '.', '_', ':' or '-'.", [nameof(InstanceName)]);
        }

        if (string.IsNullOrEmpty(TlsCertificatePath) != string.IsNullOrEmpty(TlsKeyPath))
        {
            yield return new ValidationResult(
                "Server:TlsCertificatePath and Server:TlsKeyPath (--tls-cert and --tls-key) go together: give both PEM files, or neither.",
                [nameof(TlsCertificatePath), nameof(TlsKeyPath)]);
        }

        foreach (var file in new[] { TlsCertificatePath, TlsKeyPath }.Where(f => !string.IsNullOrEmpty(f) && !File.Exists(f)))
        {
            yield return new ValidationResult($"{file}: no such TLS file.", [nameof(TlsCertificatePath)]);
        }

        if (MaxRequestBodySize.Bytes < MinRequestBodyBytes)
        {
            yield return new ValidationResult(
                $"Server:MaxRequestBodySize {MaxRequestBodySize} must be at least {MinRequestBodyBytes} bytes.", [nameof(MaxRequestBodySize)]);
        }
    }
}
