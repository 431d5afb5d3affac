using System.Collections.Concurrent;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Frugal.Tests.Hosting;

public sealed class RequestLabelsTests
{
    [Fact]
    public async Task Metrics_InventedMethods_AddNoSeriesOfTheirOwn()
    {
        await using var server = await StartAsync(new LineCollector());
        using var client = new HttpClient { BaseAddress = server.GetBaseAddress() };
        for (var i = 0; i < 40; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod("INVENTED" + i), "v1/chat/completions");
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        }

        var text = await client.GetStringAsync("metrics", TestContext.Current.CancellationToken);

        Assert.DoesNotContain("INVENTED", text, StringComparison.Ordinal);
        Assert.Contains("method=\"_OTHER\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestLog_HostilePathAndMethod_OneBoundedLineWithoutControlCharacters()
    {
        var lines = new LineCollector();
        await using var server = await StartAsync(lines);
        using var client = new HttpClient { BaseAddress = server.GetBaseAddress() };
        var forged = "x%0D%0A200 GET /admin user=root%1B[2J%E2%80%AE" + new string('a', 4000);
        using var request = new HttpRequestMessage(new HttpMethod("M" + new string('E', 3000)), forged);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await server.StopAsync(TestContext.Current.CancellationToken);

        var line = Assert.Single(lines.Lines, l => l.Contains("x\\u000d\\u000a200", StringComparison.Ordinal));
        Assert.DoesNotContain(line, c => char.IsControl(c) || c == '\u202e');
        Assert.True(line.Length < 600, $"a log line of {line.Length} characters");
        Assert.Contains("\\u001b[2J\\u202e", line, StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartAsync(LineCollector lines)
    {
        var directory = Directory.CreateTempSubdirectory("frugal-labels-").FullName;
        var app = ServerFixture.Build(directory, configure: builder => builder.Logging.AddProvider(lines));
        await app.StartAsync();
        return app;
    }

    private sealed class LineCollector : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));

        public void Dispose()
        {
        }
    }
}
