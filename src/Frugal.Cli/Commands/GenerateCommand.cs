using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal generate</c>: one reply to one prompt, streamed, or as one JSON object.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var options = new InferenceOptions();
        var prompt = new Option<string>("--prompt", "-p") { Description = "The user's message.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the reply and its figures." };
        var command = new Command("generate", "Generate one reply to a prompt (it goes through the chat template as a user turn).");
        options.AddTo(command);
        command.Options.Add(prompt);
        command.Options.Add(json);
        command.SetAction(parse => InferenceOptions.RunAsync(() => RunAsync(parse, options, parse.GetValue(prompt)!, parse.GetValue(json))));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, InferenceOptions options, string prompt, bool json)
    {
        await using var engine = await LlamaEngine.LoadAsync(options.Engine(parse)).ConfigureAwait(false);
        var messages = new List<ChatTurn>();
        if (parse.GetValue(options.System) is { Length: > 0 } system)
        {
            messages.Add(new ChatTurn(ChatRole.System, system));
        }

        messages.Add(new ChatTurn(ChatRole.User, prompt));
        var pipeline = ChatPipeline.ForEngine(engine);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // Ctrl-C ends the reply (finish reason "cancelled"), and the figures are still printed.
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var reply = new ReplyBuilder();
            var stdout = Console.Out;
            await foreach (var update in pipeline.RunAsync("cli", options.Request(parse, messages), cancel.Token).ConfigureAwait(false))
            {
                reply.Add(update);
                if (!json && update.Text.Length > 0)
                {
                    await stdout.WriteAsync(update.Text).ConfigureAwait(false);
                    await stdout.FlushAsync().ConfigureAwait(false);
                }
            }

            var stats = reply.Stats ?? throw new InvalidOperationException("the generation ended without its figures");
            await PrintAsync(stdout, reply.Text, stats, json, engine.WeightPages).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task PrintAsync(TextWriter stdout, string text, GenerationStats stats, bool json, HugePageReport weightPages)
    {
        if (json)
        {
            var result = new GenerateResult(text, stats.PromptTokens, stats.CompletionTokens,
                FinishReasonName(stats.FinishReason), Math.Round(stats.TimeToFirstToken.TotalMilliseconds, 1),
                Math.Round(stats.PromptTokensPerSecond, 2), Math.Round(stats.DecodeTokensPerSecond, 2),
                NativeLibrarySelection.LoadedCpuBackend(), weightPages.Describe());
            await stdout.WriteLineAsync(JsonSerializer.Serialize(result, GenerateJsonContext.Readable.GenerateResult)).ConfigureAwait(false);
            return;
        }

        await stdout.WriteLineAsync().ConfigureAwait(false);
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"[{FinishReasonName(stats.FinishReason)}] prompt {stats.PromptTokens} tokens, reply {stats.CompletionTokens} tokens, " +
            $"first token {stats.TimeToFirstToken.TotalMilliseconds:F0} ms, prompt {stats.PromptTokensPerSecond:F1} tok/s, decode {stats.DecodeTokensPerSecond:F1} tok/s"))
            .ConfigureAwait(false);
    }

    /// <summary>The OpenAI-style spelling of a finish reason.</summary>
    internal static string FinishReasonName(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => "cancelled",
    };
}
