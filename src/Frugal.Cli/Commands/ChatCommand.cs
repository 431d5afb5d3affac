using System.CommandLine;
using System.Globalization;
using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Cli.Commands;

/// <summary>
/// <c>frugal chat</c>: a streaming terminal chat that keeps the history. <c>/reset</c> starts over,
/// <c>/exit</c> (or end of input) quits, Ctrl-C stops the current reply but not the program.
/// </summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var options = new InferenceOptions();
        var command = new Command("chat", "Chat with a model in the terminal (/reset starts over, /exit quits, Ctrl-C stops a reply).");
        options.AddTo(command);
        command.SetAction(parse => InferenceOptions.RunAsync(() => RunAsync(parse, options)));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, InferenceOptions options)
    {
        await using var engine = await LlamaEngine.LoadAsync(options.Engine(parse)).ConfigureAwait(false);
        var system = parse.GetValue(options.System);
        var pipeline = ChatPipeline.ForEngine(engine);
        var history = NewHistory(system);
        var conversation = 1;
        using var interrupt = new ReplyInterrupt();
        await Console.Out.WriteLineAsync($"frugal chat: {Path.GetFileName(engine.Model.Path)} ({engine.TemplateFamily} format, context {engine.ContextSize} tokens). /reset starts over, /exit quits, Ctrl-C stops a reply.")
            .ConfigureAwait(false);
        while (true)
        {
            await Console.Out.WriteAsync("> ").ConfigureAwait(false);
            var line = await Console.In.ReadLineAsync().ConfigureAwait(false);
            if (line is null || line.Trim() == "/exit")
            {
                return 0;
            }

            if (line.Trim() == "/reset")
            {
                history = NewHistory(system);
                conversation++;
                await Console.Out.WriteLineAsync("(history cleared)").ConfigureAwait(false);
                continue;
            }

            if (line.Trim().Length == 0)
            {
                continue;
            }

            history.Add(new ChatTurn(ChatRole.User, line));
            var request = options.Request(parse, history.ToArray(), string.Create(CultureInfo.InvariantCulture, $"cli-chat:{conversation}"));
            if (await ReplyAsync(pipeline, request, interrupt).ConfigureAwait(false) is not { } answer)
            {
                history.RemoveAt(history.Count - 1);
                continue;
            }

            // A stopped reply stays in the history as far as it got: that is what the user saw.
            history.Add(new ChatTurn(ChatRole.Assistant, answer));
        }
    }

    /// <summary>One reply, which Ctrl-C stops: its text, or null when the conversation no longer fits the context.</summary>
    private static async Task<string?> ReplyAsync(ChatPipeline pipeline, ChatRequest request, ReplyInterrupt interrupt)
    {
        using var cancel = interrupt.Begin();
        try
        {
            var answer = new ReplyBuilder();
            return await StreamReplyAsync(pipeline, request, answer, cancel.Token).ConfigureAwait(false) ? answer.Text : null;
        }
        finally
        {
            interrupt.End();
        }
    }

    /// <summary>Streams one reply to the terminal; false when the conversation no longer fits the context.</summary>
    private static async Task<bool> StreamReplyAsync(ChatPipeline pipeline, ChatRequest request, ReplyBuilder reply, CancellationToken ct)
    {
        try
        {
            await foreach (var update in pipeline.RunAsync("cli", request, ct).ConfigureAwait(false))
            {
                reply.Add(update);
                if (update.Text.Length > 0)
                {
                    await Console.Out.WriteAsync(update.Text).ConfigureAwait(false);
                    await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                }

                if (update.Completed is { FinishReason: FinishReason.Cancelled })
                {
                    await Console.Out.WriteAsync(" [stopped]").ConfigureAwait(false);
                }
            }

            await Console.Out.WriteLineAsync().ConfigureAwait(false);
            return true;
        }
        catch (ChatRequestException e) when (e.Code == "context_length_exceeded")
        {
            await Console.Out.WriteLineAsync($"(the conversation is too long for the context: {e.Message} /reset to start over)").ConfigureAwait(false);
            return false;
        }
    }

    private static List<ChatTurn> NewHistory(string? system) =>
        system is { Length: > 0 } ? [new ChatTurn(ChatRole.System, system)] : [];
}
