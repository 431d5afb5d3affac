using System.Collections.Concurrent;
using System.Text;
using Frugal.Inference.Templates;
using LLama;
using LLama.Native;

namespace Frugal.Inference;

/// <summary>
/// Turns a chat into the token ids the model reads: the chat format's parts, template markers as
/// special tokens where the vocabulary has them, content tokenized with special-token parsing off, and
/// earlier replies spelled as the model generated them (so a session's kept KV cells still match).
/// </summary>
internal sealed class PromptTokenizer
{
    private readonly SafeLlamaModelHandle _model;
    private readonly IChatFormat _format;
    private readonly ConcurrentDictionary<string, int?> _markerTokens = new(StringComparer.Ordinal);
    private readonly ReplyTokenMemory _replies = new(ReplyTokenMemory.DefaultBudgetBytes);
    private readonly int? _bos;
    private readonly int? _eos;
    private readonly bool _addBos;

    public PromptTokenizer(SafeLlamaModelHandle model, IChatFormat format)
    {
        _model = model;
        _format = format;
        var vocab = model.Vocab;
        _bos = vocab.BOS is { } bos ? (int)bos : null;
        _eos = vocab.EOS is { } eos ? (int)eos : null;
        _addBos = _bos is not null && vocab.ShouldAddBOS;
    }

    /// <summary>Bytes held by the memory of recent replies' token ids.</summary>
    public long ReplyMemoryBytes => _replies.Bytes;

    /// <summary>Token ids of plain text as it would appear inside a message (no BOS, special tokens not parsed).</summary>
    public int[] Tokenize(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var tokens = _model.Tokenize(text, false, false, Encoding.UTF8);
        var ids = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            ids[i] = (int)tokens[i];
        }

        return ids;
    }

    /// <summary>The prompt as text, with BOS/EOS spelled as the vocabulary spells them (for display and tests).</summary>
    public string Render(IReadOnlyList<ChatTurn> messages)
    {
        var vocab = _model.Vocab;
        return ChatFormats.Render(_format.Format(messages, _addBos),
            _bos is { } bos ? vocab.LLamaTokenToString(bos, true) ?? "" : "",
            _eos is { } eos ? vocab.LLamaTokenToString(eos, true) ?? "" : "");
    }

    /// <summary>The prompt as token ids (see the type's summary); earlier replies spelt as generated only when they were <paramref name="owner"/>'s.</summary>
    public List<int> TokenizePrompt(IReadOnlyList<ChatTurn> messages, string? owner = null)
    {
        var tokens = new List<int>(64);
        var run = new StringBuilder();

        void FlushRun()
        {
            if (run.Length > 0)
            {
                tokens.AddRange(Tokenize(run.ToString()));
                run.Clear();
            }
        }

        foreach (var part in _format.Format(messages, _addBos))
        {
            switch (part.Kind)
            {
                case PromptPartKind.BeginOfSequence when _bos is { } bos:
                    FlushRun();
                    tokens.Add(bos);
                    break;
                case PromptPartKind.EndOfSequence when _eos is { } eos:
                    FlushRun();
                    tokens.Add(eos);
                    break;
                case PromptPartKind.Marker when MarkerToken(part.Text) is { } marker:
                    FlushRun();
                    tokens.Add(marker);
                    break;
                case PromptPartKind.Text when part.ReplyContent is { } reply && _replies.Find(owner, reply) is { } generated:
                    // An earlier reply spelled as the model generated it, so the KV state kept from its turn
                    // still matches (whitespace as generated, even where the template would re-space it).
                    FlushRun();
                    tokens.AddRange(generated);
                    break;
                case PromptPartKind.Marker or PromptPartKind.Text:
                    // Adjacent plain text is tokenized as one run, exactly as llama.cpp splits a
                    // formatted prompt at special tokens, so merges across template/content match.
                    run.Append(part.Text);
                    break;
                default:
                    break;
            }
        }

        FlushRun();
        return tokens;
    }

    /// <summary>
    /// The token ids of a prompt read as given: its ids (each checked against the vocabulary, since llama.cpp does
    /// not check them), or BOS (when the model adds one) and its text with special-token parsing off.
    /// </summary>
    public List<int> TokenizeRaw(RawPrompt prompt)
    {
        if (prompt.Tokens is { } ids)
        {
            var count = _model.Vocab.Count;
            foreach (var id in ids)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(id, nameof(prompt));
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, count, nameof(prompt));
            }

            return [.. ids];
        }

        var tokens = new List<int>(64);
        if (_addBos)
        {
            tokens.Add(_bos!.Value);
        }

        tokens.AddRange(Tokenize(prompt.Text ?? ""));
        return tokens;
    }

    /// <summary>
    /// The tokens every next turn after <paramref name="reply"/> starts with: the prompt of
    /// <paramref name="messages"/>, the reply as generated and the template's separator up to where a new user
    /// message's text begins (the part two different messages share, less a last token that could merge with the
    /// text, unless it is a control token), with the reply spelt as <paramref name="owner"/>'s next prompt will spell it.
    /// </summary>
    public List<int> NextTurnPrefix(IReadOnlyList<ChatTurn> messages, string reply, string? owner = null)
    {
        List<ChatTurn> history = [.. messages, new ChatTurn(ChatRole.Assistant, reply)];
        var one = TokenizePrompt([.. history, new ChatTurn(ChatRole.User, "A")], owner);
        var other = TokenizePrompt([.. history, new ChatTurn(ChatRole.User, "7")], owner);
        var shared = Batching.TokenPrefix.Common(one, other);
        if (shared > 0 && !((LLamaToken)one[shared - 1]).IsControl(_model.Vocab))
        {
            shared--;
        }

        return one.GetRange(0, shared);
    }

    /// <summary>
    /// Remembers the ids that spell <paramref name="reply"/> (the text <paramref name="owner"/> received) as the model
    /// generated it: the shortest prefix of <paramref name="generated"/> that decodes to exactly that text.
    /// Nothing is remembered when no prefix does (the text was cut inside a token).
    /// </summary>
    public void RememberReply(string? owner, string reply, IReadOnlyList<int> generated)
    {
        if (reply.Length == 0 || generated.Count == 0)
        {
            return;
        }

        var decoder = new StreamingTokenDecoder(Encoding.UTF8, _model);
        var text = new StringBuilder(reply.Length + 16);
        var vocab = _model.Vocab;
        for (var i = 0; i < generated.Count; i++)
        {
            if (((LLamaToken)generated[i]).IsControl(vocab))
            {
                // A control token (an end of turn the caller let through, say) is never put back into a
                // prompt by id: the reply is spelled as text then.
                return;
            }

            decoder.Add(generated[i]);
            text.Append(decoder.Read());
            if (text.Length > reply.Length)
            {
                return;
            }

            if (text.Length == reply.Length)
            {
                if (text.Equals(reply.AsSpan()))
                {
                    _replies.Remember(owner, reply, [.. generated.Take(i + 1)]);
                }

                return;
            }
        }
    }

    /// <summary>The id of a template marker when the vocabulary has it as one special token; null when it is plain text there.</summary>
    private int? MarkerToken(string marker) => _markerTokens.GetOrAdd(marker, static (text, model) =>
    {
        var tokens = model.Tokenize(text, false, true, Encoding.UTF8);
        return tokens.Length == 1 && tokens[0].IsControl(model.Vocab) ? (int)tokens[0] : null;
    }, _model);
}
