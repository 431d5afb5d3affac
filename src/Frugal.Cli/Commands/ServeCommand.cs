using System.CommandLine;
using Frugal.Cli.Configuration;
using Frugal.Cli.Models;
using Frugal.Cli.Native;
using Frugal.DependencyInjection;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Models;
using Frugal.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal serve</c>: the chat server (OpenAI-compatible API, sessions, the page) on one model.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var flags = new ServeFlags();
        var command = new Command("serve", "Run the chat server: OpenAI-compatible /v1, conversations under /api/sessions, a chat page at /.");
        flags.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = ServeConfiguration.Build(flags.Keys(parse), parse.GetValue(flags.Config), parse.GetValue(flags.Set) ?? []);
            if (settings.Problems.Count > 0)
            {
                return await FailAsync(string.Join(Environment.NewLine, settings.Problems)).ConfigureAwait(false);
            }

            if (settings.Sources.Count > 0)
            {
                await Console.Out.WriteLineAsync($"Settings read from: {string.Join(", ", settings.Sources)}").ConfigureAwait(false);
            }

            var configuration = settings.Configuration;
            var models = parse.GetValue(flags.Models);
            var pull = parse.GetValue(flags.Pull);
            if (configuration["Model:Path"] is { Length: > 0 })
            {
                if (models is not null || pull)
                {
                    return await FailAsync("--models and --pull choose the default model; they do not go with a model file (--model, Model:Path).").ConfigureAwait(false);
                }
            }
            else
            {
                try
                {
                    var path = await ServeModel.ResolveAsync(null, models, configuration["Storage:Directory"]!, pull, cancellationToken).ConfigureAwait(false);
                    configuration = ServeConfiguration.With(configuration, "Model:Path", path);
                }
                catch (PullException e)
                {
                    return await FailAsync(e.Message).ConfigureAwait(false);
                }
            }

            // auto: the CPU backend 'frugal native pull' or 'native build' installed in this data directory for this CPU,
            // else Frugal's shipped one where this CPU runs it, else LLamaSharp's packaged pick; frugal: the shipped one.
            var cpu = new CpuProbe().Read();
            InstalledCpuBackend.Resolution backend;
            try
            {
                backend = InstalledCpuBackend.Resolve(configuration["Model:NativeLibrary"], configuration["Storage:Directory"]!, cpu.Flags);
            }
            catch (CpuBackendException e)
            {
                return await FailAsync(e.Message).ConfigureAwait(false);
            }

            configuration = ServeConfiguration.With(configuration, "Model:NativeLibrary", backend.Choice);
            return await RunAsync(configuration, backend.Line ?? CpuBackendLine(backend.Choice, cpu), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// The server of <paramref name="configuration"/>: the generation stack and HTTP from <see cref="FrugalServer"/>, the
    /// store the settings name, logging levels from the <c>Logging</c> section. Every setting is checked here, once:
    /// a bad one throws <see cref="ServerStartException"/>.
    /// </summary>
    public static WebApplication BuildServer(IConfiguration configuration, Action<WebApplicationBuilder>? configure = null)
    {
        try
        {
            return FrugalServer.Build(configuration, builder =>
            {
                builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
                builder.Services.AddFrugalStore(configuration);
                configure?.Invoke(builder);
            });
        }
        catch (ServerStartException e)
        {
            // The operator may have written the setting as a flag: name both.
            throw new ServerStartException(string.Join(Environment.NewLine, e.Message.Split(Environment.NewLine).Select(ServeFlags.NameFlag)), e);
        }
    }

    private static async Task<int> RunAsync(IConfiguration configuration, string? cpuBackendLine, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = BuildServer(configuration);
        }
        catch (ServerStartException e)
        {
            return await FailAsync(e.Message).ConfigureAwait(false);
        }

        await using (app.ConfigureAwait(false))
        {
            // Held while serving: 'frugal restore' refuses to replace the database under a running server.
            var dataDirectory = configuration["Storage:Directory"] ?? StorageOptions.DefaultDirectory;
            using var dataLock = Frugal.Storage.Sqlite.DataDirectoryLock.TryAcquire(dataDirectory);
            if (dataLock is null)
            {
                return await FailAsync($"another frugal server is running on {Path.GetFullPath(dataDirectory)}.").ConfigureAwait(false);
            }

            // The settings chosen for the box, or why the model cannot run in it: before anything listens.
            var plan = app.Services.GetRequiredService<EnginePlanner>().Plan;
            if (plan.Refusal is { } refusal)
            {
                return await FailAsync(refusal).ConfigureAwait(false);
            }

            if (plan.Reasons.Count > 0)
            {
                await Console.Out.WriteLineAsync("Settings for this box:" + string.Concat(plan.Reasons.Select(r => Environment.NewLine + "  " + r))).ConfigureAwait(false);
            }

            if (QuantizationLine(plan.Engine, dataDirectory) is { } quantization)
            {
                await Console.Out.WriteLineAsync(quantization).ConfigureAwait(false);
            }

            if (cpuBackendLine is not null)
            {
                await Console.Out.WriteLineAsync(cpuBackendLine).ConfigureAwait(false);
            }

            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                var server = app.Services.GetRequiredService<FrugalServerOptions>();
                return await FailAsync($"cannot listen on {server.Host}:{server.Port}: {e.Message}").ConfigureAwait(false);
            }

            WarnWithoutTls(app.Services.GetRequiredService<FrugalServerOptions>());
            await Console.Out.WriteLineAsync($"Frugal is listening on {app.GetBaseAddress()} (the model loads in the background; GET /ready says when it is ready).").ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// One line when a smaller quantization of the model would decode measurably faster on this box, else null: from the
    /// rates the CPU backend <paramref name="engine"/> loads multiplies each type's matrices at here and one decode step
    /// of the model with its settings (recorded in the data directory by an earlier serve or <c>frugal doctor --model</c>,
    /// else measured now; see <see cref="MeasuredKernels"/>).
    /// </summary>
    private static string? QuantizationLine(EngineOptions engine, string dataDirectory)
    {
        try
        {
            var file = GgufReader.Read(engine.ModelPath);
            var advice = MeasuredKernels.Advise(file, engine.NativeLibrary, dataDirectory, new CpuProbe().Read(), remeasure: false, out var unmeasured, engine: engine);
            return advice.Faster.Count == 0
                ? null
                : "Quantization: " + advice.Describe(ModelInfoReader.FromFile(file).FileType, readBytesPerSecond: null)
                  + (unmeasured is null ? "" : $" (from bytes per token alone: {unmeasured})");
        }
        catch (Exception e) when (e is ModelFileException or IOException or UnauthorizedAccessException)
        {
            return null; // the engine's load reports a bad file
        }
    }

    /// <summary>
    /// One line when <c>auto</c> falls to LLamaSharp's packaged build (nothing installed for this CPU) on a CPU with VNNI,
    /// which none of the packaged builds uses (<c>frugal native build</c> compiles Frugal's backend with it, <c>frugal
    /// native pull</c> installs a prebuilt llama.cpp one), else null.
    /// </summary>
    internal static string? CpuBackendLine(string? nativeLibrary, CpuSnapshot cpu) =>
        (string.IsNullOrWhiteSpace(nativeLibrary) || string.Equals(nativeLibrary, NativeLibrarySelection.Auto, StringComparison.OrdinalIgnoreCase)) && cpu.HasVnni && cpu.HasAvx2
            ? $"CPU backend: LLamaSharp's packaged {cpu.LlamaBuild} build, without the VNNI code this CPU could run; 'frugal native build' compiles Frugal's backend for it "
              + "(npm, git, cmake and g++ needed), 'frugal native pull' installs a prebuilt llama.cpp one built for it; auto loads either from then on."
            : null;

    private static void WarnWithoutTls(FrugalServerOptions server)
    {
        if (!server.IsLoopback && !server.UsesTls)
        {
            Console.Error.WriteLine(
                $"frugal: warning: listening on {server.Host} without TLS: API keys and conversations cross the network in clear text. " +
                "Put a TLS proxy in front (deploy/Caddyfile) or give --tls-cert FILE --tls-key FILE.");
        }
    }

    // One "frugal: ..." line per problem, exit code 2.
    private static Task<int> FailAsync(string problems) =>
        UserCommand.FailAsync(string.Join(Environment.NewLine + "frugal: ", problems.Split(Environment.NewLine)));
}
