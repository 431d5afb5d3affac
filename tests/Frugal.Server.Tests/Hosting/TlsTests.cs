using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Frugal.Server.Hosting;

namespace Frugal.Tests.Hosting;

/// <summary>Kestrel speaking HTTPS itself (<c>--tls-cert</c>/<c>--tls-key</c>) with a certificate the test makes.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Serve_WithPemCertificateAndKey_AnswersOverHttpsWithThatCertificate()
    {
        var (certificatePath, keyPath, thumbprint) = WriteSelfSigned();
        await using var server = await ServerFixture.StartAsync(server: o =>
        {
            o.TlsCertificatePath = certificatePath;
            o.TlsKeyPath = keyPath;
        });
        string? seen = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => (seen = certificate?.Thumbprint) == thumbprint,
        };
        using var client = new HttpClient(handler);

        Assert.Equal("https", server.BaseAddress.Scheme);
        var response = await client.GetAsync(new Uri(server.BaseAddress, "health"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(thumbprint, seen);
    }

    [Fact]
    public void Validate_CertificateWithoutKey_OneClearProblem()
    {
        var (certificatePath, _, _) = WriteSelfSigned();
        var options = new FrugalServerOptions { TlsCertificatePath = certificatePath };

        var result = new FrugalServerOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures ?? [], p => p.Contains("(--tls-cert and --tls-key) go together", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_KeyThatIsNotPem_StopsWithTheFileNames()
    {
        var (certificatePath, _, _) = WriteSelfSigned();
        var junk = Path.Combine(_temp.Path, "junk.key");
        File.WriteAllText(junk, "not a key");
        var e = Assert.Throws<ServerStartException>(() => ServerFixture.Build(Path.Combine(_temp.Path, "data"), new Dictionary<string, string?>
        {
            ["Server:TlsCertificatePath"] = certificatePath,
            ["Server:TlsKeyPath"] = junk,
        }));

        Assert.Contains(junk, e.Message, StringComparison.Ordinal);
    }

    private (string Certificate, string Key, string Thumbprint) WriteSelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(_temp.Path, "server.crt");
        var keyPath = Path.Combine(_temp.Path, "server.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, certificate.Thumbprint);
    }
}
