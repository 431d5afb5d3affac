using System.CommandLine;
using Frugal.Cli.Native;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Models;
using Frugal.Requests;

namespace Frugal.Cli.Commands;

/// <summary>The options <c>generate</c> and <c>chat</c> share, and how they turn into an engine.</summary>
internal sealed class InferenceOptions
{
    public Option<string> Model { get; } = new("--model", "-m") { Description = "The GGUF model file.", Required = true };

    public Option<string?> System { get; } = new("--system") { Description = "A system message that opens the conversation." };

    public Option<int?> MaxTokens { get; } = new("--max-tokens") { Description = $"The most tokens a reply may have (default {ChatRequestValidator.DefaultMaxTokens}, at most half the context)." };

    public Option<double?> Temperature { get; } = new("--temperature") { Description = $"Sampling temperature from 0 to {ChatRequestValidator.MaxTemperature} (default {SamplingOptions.Default.Temperature}); 0 is greedy and deterministic." };

    public Option<uint?> Seed { get; } = new("--seed") { Description = "Seed of the random sampler (same seed, same reply)." };

    public Option<int> ContextSize { get; } = new("--ctx") { Description = "Context size in tokens (0: the model's, capped at 4096).", DefaultValueFactory = _ => 0 };

    public Option<string?> ChatTemplate { get; } = ChatTemplateOption();

    public Option<string> Repack { get; } = RepackOption();

    public Option<string?> NativeLibrary { get; } = NativeLibraryOption("default auto: the CPU backend frugal native build or pull installed for this CPU, else Frugal's shipped one, else packaged, as frugal serve");

    /// <summary>The <c>--chat-template</c> option: zephyr, llama2 or chatml; anything else is refused by the parser.</summary>
    public static Option<string?> ChatTemplateOption()
    {
        var option = new Option<string?>("--chat-template") { Description = "Chat format when the model's own is missing or unknown: zephyr, llama2 or chatml." };
        option.AcceptOnlyFromAmong("zephyr", "llama2", "chatml");
        return option;
    }

    /// <summary>The <c>--repack</c> option: on, off or auto (the default, as <c>frugal serve</c>: <see cref="EngineOptions.RepacksByDefault"/>).</summary>
    public static Option<string> RepackOption()
    {
        var option = new Option<string>("--repack")
        {
            Description = "Let llama.cpp repack the weights at load: on, off, or auto (the default, as frugal serve: the 4-bit types, unless Frugal's own CPU backend has kernels for them).",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("on", "off", "auto");
        return option;
    }

    /// <summary>The <c>--repack</c> value as <see cref="EngineOptions.RepackWeights"/> takes it.</summary>
    public static bool? RepackChoice(string? value) => value switch { "on" => true, "off" => false, _ => null };

    /// <summary>The <c>--native-library</c> option (bench, generate, chat): a choice or a libllama path, checked at parse time.</summary>
    public static Option<string?> NativeLibraryOption(string note)
    {
        var option = new Option<string?>("--native-library")
        {
            Description = $"The llama.cpp native library: {string.Join(", ", NativeLibrarySelection.Choices)} or the path of a libllama.so ({note}).",
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (NativeLibrarySelection.Problem(value) is { } problem)
            {
                result.AddError($"--native-library {problem}");
                return;
            }

            // A name the command resolves (frugal) is refused here, at parse time, when it cannot be loaded.
            try
            {
                if (value is not null && !string.Equals(value.Trim(), NativeLibrarySelection.Auto, StringComparison.OrdinalIgnoreCase))
                {
                    InstalledCpuBackend.Choice(value, UserCommand.DefaultDataDirectory, new CpuProbe().Read().Flags);
                }
            }
            catch (CpuBackendException e)
            {
                result.AddError($"--native-library: {e.Message}");
            }
        });
        return option;
    }

    /// <summary>
    /// A <c>--native-library</c> value as the engine takes it: a path made absolute, <c>auto</c> (or none) and <c>frugal</c>
    /// as <see cref="InstalledCpuBackend.Resolve(string?, string, IReadOnlySet{string})"/> resolves them with the data
    /// directory (<c>$FRUGAL_DATA</c>, else ./data), as <c>frugal serve</c> does; any other choice as it is.
    /// </summary>
    public static string? NativeLibraryChoice(string? value) =>
        InstalledCpuBackend.Choice(value, UserCommand.DefaultDataDirectory, new CpuProbe().Read().Flags);

    /// <summary>The family named by a <c>--chat-template</c> value; null for none.</summary>
    public static ChatTemplateFamily? ParseChatTemplate(string? name) => name switch
    {
        "zephyr" => ChatTemplateFamily.Zephyr,
        "llama2" => ChatTemplateFamily.Llama2,
        "chatml" => ChatTemplateFamily.ChatML,
        _ => null,
    };

    public InferenceOptions()
    {
        ChatTemplate.AcceptOnlyFromAmong("zephyr", "llama2", "chatml");
        ContextSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--ctx must be 0 or more");
            }
        });
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(System);
        command.Options.Add(MaxTokens);
        command.Options.Add(Temperature);
        command.Options.Add(Seed);
        command.Options.Add(ContextSize);
        command.Options.Add(ChatTemplate);
        command.Options.Add(NativeLibrary);
        command.Options.Add(Repack);
    }

    public EngineOptions Engine(ParseResult parse) => new()
    {
        ModelPath = parse.GetValue(Model)!,
        ContextSize = parse.GetValue(ContextSize),
        ChatTemplate = ParseChatTemplate(parse.GetValue(ChatTemplate)),
        NativeLibrary = NativeLibraryChoice(parse.GetValue(NativeLibrary)),
        RepackWeights = RepackChoice(parse.GetValue(Repack)),
    };

    /// <summary>The request for <paramref name="messages"/> with the reply settings given on the command line (checked by the pipeline).</summary>
    public ChatRequest Request(ParseResult parse, IReadOnlyList<ChatTurn> messages, string? sessionKey = null) => new()
    {
        Messages = messages,
        MaxTokens = parse.GetValue(MaxTokens),
        Temperature = parse.GetValue(Temperature),
        Seed = parse.GetValue(Seed),
        SessionKey = sessionKey,
        Names = new ChatRequestNames("--max-tokens", "--prompt"),
    };

    /// <summary>
    /// Runs <paramref name="body"/>; a missing or malformed model, an unknown chat template or a prompt
    /// too long for the context becomes one line on stderr and exit code 2, never a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e) when (e is ModelFileException or ChatTemplateException or PromptTooLongException or ChatRequestException)
        {
            await Console.Error.WriteLineAsync($"frugal: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
